import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Redis } from 'ioredis';
import { CollectionsService } from '../collections/collections.service';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { ApiError } from '../core/errors/api-error';
import { RequestContext } from '../core/http/request-context';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { JOB_RUNTIME, JobRuntime } from '../core/runtime/job-runtime';
import { referencedProviderIds, resolveBenchmarks } from '../domain/expansion';
import { assertKnownParams, once, Page, pageOf, paginate, parseBool, parseFilter, parsePage } from '../domain/filters';
import { ALL_JOBS, JobListFilters, jobListSet, valuesMatchFilters } from '../domain/job-list';
import { cancelJob, isTerminalJobState } from '../domain/job-state';
import { jobSourceError } from '../domain/job-source';
import { executorFor, planRuns } from '../domain/run-plan';
import { CollectionRecord, JobConfig, JobRecord, ProviderRecord } from '../domain/types';
import { ProvidersService } from '../providers/providers.service';
import { EvaluationQueue } from '../queue/evaluation-queue.producer';
import { JobSubmissionDto } from './dto/job-submission.dto';
import { ExperimentTracker, EXPERIMENT_TRACKER } from './experiment-tracker';
import { JobControl } from './job-control';
import { JobEventsBus } from './job-events.bus';
import { ListedJob, JobsRepository } from './jobs.repository';
import { benchmarkParameterErrors, misspelledParameterErrors } from '../domain/benchmark-parameters';
import { BACKEND_PARAMETERS, isNativeBackend, parameterValueErrors, unknownParameterErrors } from '../domain/native-backends';
import { ProviderAvailabilityService } from '../providers/provider-availability.service';
import { hardwareConfigErrors, queueErrors, testDataRefErrors } from '../domain/pod-placement-checks';
import { secretRefRefusal } from '../domain/secret-ref';
import { resolveNemoSettings } from '../domain/nemo-evaluator-settings';
import { resolveKfpSettings, runsOnKfp } from '../domain/kfp-settings';
import { retryFailedBenchmarks } from '../domain/job-retry';
import { benchmarkQueuePlaces, waitingUnitKeys } from '../domain/scheduling';

const LIST_PARAMS = ['limit', 'offset', 'status', 'name', 'tags', 'owner', 'experiment_id'] as const;

/** The remote NeMo Evaluator settings of a benchmark, where its provider has them. */
function nemoEvaluatorErrors(provider: ProviderRecord | undefined, b: { id: string; parameters?: unknown }, modelUrl: string | undefined, i: number): string[] {
  const runtime = provider?.runtime?.nemo_evaluator;
  if (!runtime) return [];
  return resolveNemoSettings(runtime, b.parameters, { benchmarkId: b.id, modelUrl }, { runtime: `provider ${provider.resource.id}: runtime.nemo_evaluator`, parameters: `benchmarks[${i}].parameters` }).errors;
}

/** The Kubeflow Pipelines settings of a benchmark that runs there (its provider's or its own parameters.backend). */
function kfpErrors(provider: ProviderRecord | undefined, b: { parameters?: unknown }, i: number): string[] {
  if (!provider || !runsOnKfp(provider.runtime, b.parameters)) return [];
  return resolveKfpSettings(provider.runtime?.kubeflow_pipelines, b.parameters, {}, { runtime: `provider ${provider.resource.id}: runtime.kubeflow_pipelines`, parameters: `benchmarks[${i}].parameters.backend` }).errors;
}

/** Parameter checks of the executor that will run a benchmark (none for adapters and Kubernetes Jobs). */
function parameterErrorsFor(executor: string, parameters: unknown, where: string): string[] {
  if (!isNativeBackend(executor)) return [];
  return executor === 'lm_evaluation_harness'
    ? misspelledParameterErrors(parameters, BACKEND_PARAMETERS.lm_evaluation_harness, where)
    : [...unknownParameterErrors(executor, parameters, where), ...parameterValueErrors(executor, parameters, where)];
}

/** A job (its resource) the caller may see; 404 as for a missing one when it is another tenant's. */
export function assertJobVisible(id: string, resource: { tenant?: string } | undefined, caller: RequestContext): void {
  if (!resource || (caller.tenant && resource.tenant !== caller.tenant)) throw ApiError.notFound('evaluation job', id);
}

@Injectable()
export class EvaluationsService {
  private readonly logger = new Logger(EvaluationsService.name);
  private eta?: { avg: number; fn: (place: number) => number };

  constructor(
    private readonly jobs: JobsRepository,
    private readonly providers: ProvidersService,
    private readonly availability: ProviderAvailabilityService,
    private readonly collections: CollectionsService,
    private readonly queue: EvaluationQueue,
    private readonly control: JobControl,
    private readonly bus: JobEventsBus,
    private readonly keys: RedisKeys,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Optional() @Inject(EXPERIMENT_TRACKER) private readonly tracker?: ExperimentTracker,
    @Optional() @Inject(JOB_RUNTIME) private readonly runtime?: JobRuntime,
  ) {}

  async submit(body: JobSubmissionDto, caller: RequestContext): Promise<JobRecord> {
    const config = JSON.parse(JSON.stringify(body)) as JobConfig;
    const sourceError = jobSourceError(config);
    if (sourceError) throw ApiError.validation(sourceError);
    // An empty list next to a collection means no overrides of the job's own (as upstream).
    if (config.collection && config.benchmarks?.length === 0) delete config.benchmarks;
    let collection: CollectionRecord | undefined;
    if (config.collection) {
      collection = await this.collections.get(config.collection.id, caller);
      if (collection.benchmarks.length === 0) throw new ApiError('collection_empty', `The collection '${collection.resource.id}' has no benchmarks.`);
    }
    const providers = await this.providers.lookup(referencedProviderIds(config, collection), caller);
    const benchmarks = resolveBenchmarks(config, { collection, providers });
    if (benchmarks.some((b) => (b.test_data_ref as { resolved_sha?: unknown } | undefined)?.resolved_sha !== undefined)) {
      throw new ApiError('resolved_sha_read_only', 'test_data_ref.resolved_sha is set by the server and can not be submitted.');
    }
    const secretRef = config.model.auth?.secret_ref;
    const secretProblem = secretRef ? secretRefRefusal(secretRef, this.cfg, this.cfg.runtime) : undefined;
    const problems = [
      ...(secretProblem ? [`model.auth.secret_ref: ${secretProblem}`] : []),
      ...hardwareConfigErrors(config.hardware_config, 'hardware_config'),
      ...queueErrors(config.queue, 'queue'),
      ...benchmarks.flatMap((b, i) => [
        ...benchmarkParameterErrors(b.parameters, `benchmarks[${i}].parameters`),
        ...parameterErrorsFor(executorFor(providers.get(b.provider_id), this.cfg.runtime, b.parameters), b.parameters, `benchmarks[${i}].parameters`),
        ...nemoEvaluatorErrors(providers.get(b.provider_id), b, config.model.url, i),
        ...kfpErrors(providers.get(b.provider_id), b, i),
        ...hardwareConfigErrors(b.hardware_config, `benchmarks[${i}].hardware_config`),
        ...testDataRefErrors(b.test_data_ref, `benchmarks[${i}].test_data_ref`),
      ]),
    ];
    if (problems.length) throw ApiError.validation(problems.join('; '));
    // A benchmark sent to Kubeflow Pipelines needs nothing of this deployment's runtimes.
    await this.checkRunnable(benchmarks.filter((b) => !runsOnKfp(providers.get(b.provider_id)?.runtime, b.parameters)).map((b) => providers.get(b.provider_id)));
    const allPreRecorded = benchmarks.every((b) => (b.test_data_ref as { type?: string } | undefined)?.type === 'pre_recorded_data');
    if (!config.model.url && !allPreRecorded) {
      throw new ApiError('model_url_required', 'model.url is required unless every benchmark uses pre-recorded data.');
    }
    if (config.risk_category) config.benchmarks = benchmarks.map(({ id, provider_id, parameters }) => ({ id, provider_id, parameters }));

    const now = new Date().toISOString();
    const id = randomUUID();
    const job: JobRecord = {
      resource: { id, created_at: now, updated_at: now },
      config,
      benchmarks,
      status: {
        state: 'pending',
        message: { message: 'Evaluation job created', message_code: 'evaluation_job_created', message_origin: 'server' },
        // Every benchmark is listed from the start (upstream lists only those that reported, which
        // makes the SDK's wait_for_completion return early once the first ones finish).
        benchmarks: benchmarks.map((b, i) => ({ provider_id: b.provider_id, id: b.id, benchmark_index: i, status: 'pending' as const })),
      },
      results: {},
      runs: planRuns(benchmarks, providers, this.cfg.runtime),
    };
    if (caller.tenant) job.resource.tenant = caller.tenant;
    if (caller.user) job.resource.owner = caller.user;
    if (collection?.pass_criteria) job.collection_threshold = collection.pass_criteria.threshold;
    await this.runtime?.checkSubmit(job);

    if (config.experiment) {
      if (!this.tracker?.enabled) {
        throw new ApiError('mlflow_required_for_experiment', 'An experiment was given but MLflow is not configured (set MLFLOW_TRACKING_URI).');
      }
      const exp = await this.tracker.prepareExperiment(job);
      if (exp.experimentId) job.resource.mlflow_experiment_id = exp.experimentId;
      if (exp.url) job.results.mlflow_experiment_url = exp.url;
      job.tracking = { state: 'pending', ...(exp.experimentId ? {} : { last_error: 'MLflow was unreachable at submit; the experiment will be created later' }) };
    }

    await this.jobs.put(job);
    try {
      await this.queue.enqueueJob(job);
    } catch (e) {
      // Not accepted after all: record why, and tell the caller to retry.
      this.logger.error(`could not enqueue job ${id}: ${(e as Error).message}`);
      await this.jobs.update(id, (j) => ({
        ...j,
        status: { ...j.status, state: 'failed', message: { message: 'Evaluation job could not be queued', message_code: 'evaluation_job_failed', message_origin: 'server' } },
      }));
      throw new ApiError('service_unavailable', 'The work queue is unavailable; the job was not started. Try again shortly.');
    }
    await this.bus.submitted(job);
    return job;
  }

  /** A job whose provider this deployment cannot run is refused now, not accepted and failed later. */
  private async checkRunnable(used: (ProviderRecord | undefined)[]): Promise<void> {
    const seen = new Set<string>();
    const reasons: string[] = [];
    for (const p of used) {
      if (!p || seen.has(p.resource.id)) continue;
      seen.add(p.resource.id);
      const a = await this.availability.of(p);
      if (!a.runnable) reasons.push(`provider '${p.resource.id}' cannot run here: ${a.reason}`);
    }
    if (reasons.length) throw new ApiError('provider_not_runnable', reasons.join('; '));
  }

  async get(id: string, caller: RequestContext): Promise<JobRecord> {
    return this.visible(id, await this.stored(id), caller);
  }

  /** A job's document as stored (null when there is none); `visible` makes it a job the caller may see. */
  stored(id: string): Promise<string | null> {
    return this.jobs.getRaw(id);
  }

  /** The content hash kept beside a job's document (DocumentStore.storedHash). */
  storedHash(id: string): Promise<string | null> {
    return this.jobs.storedHash(id);
  }

  /** A stored document as the job it holds, when the caller may see it (404 otherwise). */
  visible(id: string, raw: string | null, caller: RequestContext): JobRecord {
    const job = raw === null ? undefined : (JSON.parse(raw) as JobRecord);
    assertJobVisible(id, job?.resource, caller);
    return job!;
  }

  /**
   * Queue places of the job's benchmarks that wait for a worker (by benchmark index). A hint for
   * people watching: an unreachable queue gives none rather than failing the read.
   */
  async queuePlaces(job: JobRecord): Promise<Map<number, number>> {
    if (isTerminalJobState(job.status.state)) return new Map();
    const byUnit = await this.queue.waitingPlaces(job.resource.id, waitingUnitKeys(job)).catch(() => new Map<string, number>());
    return benchmarkQueuePlaces(job, byUnit);
  }

  /**
   * When a unit at a queue place likely starts: the rounds of worker slots before it times the
   * recent average run (kept by the workers); undefined until a run has finished.
   */
  async queueEta(): Promise<((place: number) => number) | undefined> {
    const avg = Number(await this.redis.hget(this.keys.runStats, 'avg_seconds').catch(() => null));
    if (!avg) return undefined;
    // The same average gives the same function, so readers can tell an estimate has not moved.
    if (this.eta?.avg !== avg) this.eta = { avg, fn: (place) => Math.round(Math.ceil(place / this.cfg.maxConcurrentEvaluations) * avg) };
    return this.eta.fn;
  }

  /**
   * A page of the caller's jobs, newest first. Every filter is answered from the list indexes
   * (JobsRepository): `status`, the most used, and any single value of name, tags, owner or
   * experiment_id is one sorted set, so a page and its total_count cost O(log n + limit) whatever
   * the number of jobs; `a|b` of one value per job (status, name, owner) adds up disjoint sets; the
   * rest (all-of tags, several filters, negation) is intersected in Redis, in proportion to the
   * sets involved and without reading any job. An index (rather than reading jobs until a page is
   * full) because total_count needs every match counted. The page's jobs are checked against the
   * filters: a mismatch (a writer that did not keep the indexes, a job that changed or went in
   * between) repairs them and asks again once, then falls back to reading every job.
   */
  async list(query: Record<string, string | string[] | undefined>, uri: string, caller: RequestContext): Promise<Page<ListedJob>> {
    assertKnownParams(query, LIST_PARAMS);
    const page = parsePage(query);
    const filters: JobListFilters = {
      state: parseFilter(query.status),
      name: parseFilter(query.name),
      tag: parseFilter(query.tags),
      owner: parseFilter(query.owner),
      experiment: parseFilter(query.experiment_id),
    };
    const set = jobListSet(filters);
    const unfiltered = 'leaf' in set && set.leaf === ALL_JOBS;
    // Without filters the creation index answers; with them, the list indexes once they hold every job.
    if (unfiltered || (await this.jobs.listIndexed())) {
      for (let attempt = 0; ; attempt++) {
        const { total, ids } = await this.jobs.listPage(caller.tenant, set, page.offset, page.limit);
        const listed = await this.jobs.getListed(ids);
        const wrong = ids.filter((_, i) => !listed[i] || !valuesMatchFilters(listed[i].values, filters));
        // Unfiltered, only a job deleted in between can be missing: the page goes without it.
        if (wrong.length === 0 || (unfiltered && attempt > 0)) return pageOf(listed.filter((j) => j !== undefined), total, page, uri);
        if (attempt > 0) break;
        await this.jobs.repairListIndexes(caller.tenant, set, wrong);
      }
      this.logger.warn(`job list indexes disagree with the jobs for '${uri}'; answered by reading every job`);
    }
    const all = (await this.jobs.getListed(await this.jobs.ids(caller.tenant))).filter((j) => j !== undefined && valuesMatchFilters(j.values, filters));
    return paginate(all as ListedJob[], page, uri);
  }

  /** Soft cancel (state cancelled, processes stopped) or, with hard_delete, removal. */
  /** Runs a finished job's failed and cancelled benchmarks again (domain/job-retry). */
  async retry(id: string, caller: RequestContext): Promise<JobRecord> {
    await this.get(id, caller);
    const res = await this.jobs.update(id, (j) => retryFailedBenchmarks(j, new Date().toISOString()).job);
    if (!res) throw ApiError.notFound('evaluation job', id);
    await this.queue.enqueueJob(res.after);
    await this.bus.emit({ before: res.before, after: res.after, source: 'api' });
    return res.after;
  }

  async cancel(id: string, query: Record<string, string | string[] | undefined>, caller: RequestContext): Promise<void> {
    assertKnownParams(query, ['hard_delete']);
    const hardDelete = parseBool('hard_delete', once('hard_delete', query.hard_delete), false);
    const job = await this.get(id, caller);
    if (hardDelete) {
      if (!isTerminalJobState(job.status.state)) await this.control.publishCancel(id);
      await this.jobs.delete(job);
      // Its logs and any files still waiting for MLflow go with it.
      await this.redis.del(...(job.runs ?? []).map((r) => this.keys.logStream(id, r.key)), this.keys.artifacts(id));
      await this.runtime?.removeResources(job);
      return;
    }
    // The state changes first, so that the runtime going away afterwards reads as cancelled.
    const res = await this.jobs.update(id, (j) => cancelJob(j, new Date().toISOString()));
    if (!res) throw ApiError.notFound('evaluation job', id);
    if (res.after !== res.before) {
      await this.control.publishCancel(id);
      await this.runtime?.removeResources(job);
      await this.bus.emit({ before: res.before, after: res.after, source: 'api' });
    }
  }
}
