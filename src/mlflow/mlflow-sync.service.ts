import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { jobFile } from '../core/files/job-files';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { isTerminalJobState } from '../domain/job-state';
import { JobRecord } from '../domain/types';
import { ArtifactStash } from '../evaluations/artifact-stash';
import { JobsRepository } from '../evaluations/jobs.repository';
import { evaluationCard } from './evaluation-card';
import { MlflowExperiments } from './experiment-tracker.service';
import { MlflowClient, MlflowError, MlflowRunInfo, MlflowTag } from './mlflow.client';
import { tag, toMlflowMetrics, toParams } from './mlflow-names';

const RUN_KIND = 'evalhub.run_kind';
const JOB_TAG = 'evalhub.job_id';
const INDEX_TAG = 'evalhub.benchmark_index';

/** Another tracking job holds the job's MLflow lock: retried shortly, not an MLflow failure. */
export class TrackingBusyError extends Error {}

const LOCK_MS = 120_000;

/**
 * Writes a job to MLflow: each benchmark that EvalHub's own executors ran becomes a run as soon
 * as it ends (params, metrics, artifacts), the child of a job run; when the job ends, the job run
 * gets the score, pass and evaluation card. Every step looks for what an earlier, interrupted
 * attempt already wrote, and a per-job lock keeps two writers apart, so runs are never duplicated.
 */
@Injectable()
export class MlflowSync {
  private readonly logger = new Logger(MlflowSync.name);

  constructor(
    private readonly experiments: MlflowExperiments,
    private readonly jobs: JobsRepository,
    private readonly stash: ArtifactStash,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /** One finished benchmark of a job still running. */
  async syncBenchmark(jobId: string, index: number): Promise<'synced' | 'skipped'> {
    const client = this.experiments.client;
    const first = await this.jobs.get(jobId);
    // A finished job is written whole by syncJob.
    if (!client || !first?.config.experiment || isTerminalJobState(first.status.state)) return 'skipped';
    return this.locked(jobId, async (): Promise<'synced' | 'skipped'> => {
      const job = (await this.jobs.get(jobId))!;
      if (job.tracking?.benchmark_runs?.[index] || !this.ownedByUs(job, index)) return 'skipped';
      const experimentId = await this.experimentOf(job);
      const jobRun = await this.jobRun(client, experimentId, job);
      const runId = await this.recordBenchmark(client, experimentId, job, jobRun, index);
      if (runId) await this.noteBenchmarkRuns(jobId, { [index]: runId }, jobRun.run_id);
      return 'synced';
    });
  }

  async syncJob(jobId: string): Promise<'synced' | 'skipped'> {
    const client = this.experiments.client;
    const first = await this.jobs.get(jobId);
    if (!client || !first?.config.experiment || !isTerminalJobState(first.status.state)) return 'skipped';
    if (first.tracking?.state === 'synced') return 'skipped';
    return this.locked(jobId, async (): Promise<'synced' | 'skipped'> => {
      const experimentId = await this.experimentOf((await this.jobs.get(jobId))!);
      const job = (await this.jobs.get(jobId))!;
      const jobRun = await this.jobRun(client, experimentId, job);
      const now = Date.now();
      const test = job.results.test;
      await client.logBatch(
        jobRun.run_id,
        test ? toMlflowMetrics({ score: test.score, threshold: test.threshold, pass: test.pass }, now) : [],
        toParams({ model_name: job.config.model.name, model_url: job.config.model.url, collection_id: job.config.collection?.id, benchmarks: job.benchmarks.length }),
        [tag('state', job.status.state), ...(test ? [tag('pass', test.pass)] : [])],
      );
      await client.uploadArtifact(jobRun, 'evaluation-card.json', JSON.stringify(evaluationCard(job), null, 2));

      const benchmarkRuns: Record<string, string> = { ...(job.tracking?.benchmark_runs ?? {}) };
      for (const index of job.benchmarks.keys()) {
        const result = job.results.benchmarks?.find((r) => r.benchmark_index === index);
        if (benchmarkRuns[index]) continue; // written when the benchmark ended
        if (result?.mlflow_run_id) {
          // An adapter that logged its own run (SDK callbacks.mlflow.save) keeps it; we only adopt it.
          await client.setTag(result.mlflow_run_id, 'mlflow.parentRunId', jobRun.run_id).catch((e: unknown) => {
            // MLflow down or busy: the whole write is retried, and setting a tag again is harmless.
            if (!(e instanceof MlflowError) || e.retryable) throw e;
            this.logger.warn(
              `job ${jobId} benchmark ${index}: the adapter's run ${result.mlflow_run_id} refused to become a child of job run ${jobRun.run_id} (${e.message}); it stays a top-level run`,
            );
          });
          continue;
        }
        const runId = await this.recordBenchmark(client, experimentId, job, jobRun, index);
        if (runId) benchmarkRuns[index] = runId;
      }
      await client.updateRun(jobRun.run_id, job.status.state === 'completed' ? 'FINISHED' : job.status.state === 'cancelled' ? 'KILLED' : 'FAILED', now);
      await this.noteBenchmarkRuns(jobId, benchmarkRuns, jobRun.run_id, 'synced');
      await this.stash.drop(jobId);
      this.logger.log(`job ${jobId} recorded in MLflow experiment ${experimentId} (run ${jobRun.run_id})`);
      return 'synced';
    });
  }

  /** True when the benchmark ended and no adapter logged a run of its own for it. */
  private ownedByUs(job: JobRecord, index: number): boolean {
    const status = job.status.benchmarks.find((s) => s.benchmark_index === index);
    const result = job.results.benchmarks?.find((r) => r.benchmark_index === index);
    return !!status && ['completed', 'failed'].includes(status.status) && !result?.mlflow_run_id;
  }

  /** The job's experiment id, created now if MLflow was down at submit. */
  private async experimentOf(job: JobRecord): Promise<string> {
    if (job.resource.mlflow_experiment_id) return job.resource.mlflow_experiment_id;
    const experimentId = await this.experiments.ensure(job);
    const url = this.experiments.experimentUrl(experimentId);
    await this.jobs.update(job.resource.id, (j) => ({ ...j, resource: { ...j.resource, mlflow_experiment_id: experimentId }, results: { ...j.results, mlflow_experiment_url: url } }));
    return experimentId;
  }

  private jobRun(client: MlflowClient, experimentId: string, job: JobRecord): Promise<MlflowRunInfo> {
    const jobId = job.resource.id;
    return this.findOrCreate(client, experimentId, { [JOB_TAG]: jobId, [RUN_KIND]: 'job' }, job.config.name || `evaluation-card-${jobId}`, [
      tag('evaluation_job_id', jobId),
      tag('context', 'eval-hub'),
      tag(JOB_TAG, jobId),
      tag(RUN_KIND, 'job'),
    ]);
  }

  /** The run of one ended benchmark: params, metrics, files, final status; undefined if it has not ended. */
  private async recordBenchmark(client: MlflowClient, experimentId: string, job: JobRecord, jobRun: MlflowRunInfo, index: number): Promise<string | undefined> {
    const jobId = job.resource.id;
    const b = job.benchmarks[index];
    const status = job.status.benchmarks.find((s) => s.benchmark_index === index);
    const result = job.results.benchmarks?.find((r) => r.benchmark_index === index);
    if (!status || !['completed', 'failed'].includes(status.status)) return undefined;
    const run = await this.findOrCreate(client, experimentId, { [JOB_TAG]: jobId, [INDEX_TAG]: String(index), [RUN_KIND]: 'benchmark' }, `${jobId}_${index}`, [
      tag('mlflow.parentRunId', jobRun.run_id),
      tag(JOB_TAG, jobId),
      tag(INDEX_TAG, index),
      tag(RUN_KIND, 'benchmark'),
      ...(job.config.experiment?.tags ?? []).map((t) => tag(t.key, t.value)),
    ]);
    const now = Date.now();
    const p = (b.parameters ?? {}) as Record<string, unknown>;
    await client.logBatch(
      run.run_id,
      toMlflowMetrics(result?.metrics, now),
      toParams({ benchmark_id: b.id, provider_id: b.provider_id, model_name: job.config.model.name, num_examples: p.num_examples, num_few_shot: p.num_few_shot ?? p.num_fewshot }),
      [tag('status', status.status), ...(result?.test ? [tag('pass', result.test.pass)] : [])],
    );
    for (const file of artifactFiles(result?.artifacts, result?.logs_path)) {
      // This worker's disk if it ran the benchmark, else the copy kept in Redis.
      const local = jobFile(this.cfg.dataDir, jobId, file);
      const content = local ? fs.readFileSync(local) : await this.stash.read(jobId, index, file);
      if (content) await client.uploadArtifact(run, path.basename(file), content);
      else this.logger.warn(`job ${jobId} benchmark ${index}: ${path.basename(file)} is on another worker's disk only; not uploaded`);
    }
    await client.updateRun(run.run_id, status.status === 'completed' ? 'FINISHED' : 'FAILED', now);
    return run.run_id;
  }

  /** Records run ids on the job (results.benchmarks[].mlflow_run_id and tracking). */
  private async noteBenchmarkRuns(jobId: string, runs: Record<string, string>, jobRunId: string, state?: 'synced'): Promise<void> {
    await this.jobs.update(jobId, (j) => {
      const all = { ...(j.tracking?.benchmark_runs ?? {}), ...runs };
      return {
        ...j,
        results: { ...j.results, benchmarks: j.results.benchmarks?.map((r) => (all[r.benchmark_index] ? { ...r, mlflow_run_id: all[r.benchmark_index] } : r)) },
        tracking: { ...(j.tracking ?? { state: 'pending' }), ...(state ? { state, last_error: undefined } : {}), job_run_id: jobRunId, benchmark_runs: all },
      };
    });
  }

  /** Runs `fn` holding the job's MLflow lock; TrackingBusyError when another writer has it. */
  private async locked<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
    const key = this.keys.mlflowLock(jobId);
    const token = randomUUID();
    if ((await this.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') throw new TrackingBusyError(`MLflow writes of job ${jobId} are in progress elsewhere`);
    // A slow MLflow (many benchmarks, large artifacts) can outlast LOCK_MS: the lock is renewed
    // while this writer works, so a second writer never starts beside it. A renewal that fails
    // (Redis down) leaves the lock to expire, which is the most a dead writer could hold it.
    const renew = setInterval(() => {
      void this.redis
        .eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0", 1, key, token, String(LOCK_MS))
        .catch(() => undefined);
    }, LOCK_MS / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      // Not fatal: a lock left behind expires after LOCK_MS, and the next writer retries until then.
      await this.redis
        .eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, key, token)
        .catch((e: unknown) => this.logger.warn(`MLflow lock of job ${jobId} not released (${(e as Error).message}); it expires in ${LOCK_MS / 1000} s`));
    }
  }

  async markPending(jobId: string, error: string, state: 'pending' | 'failed' = 'pending'): Promise<void> {
    await this.jobs.update(jobId, (j) => ({ ...j, tracking: { ...(j.tracking ?? { state }), state, last_error: error } }));
  }

  /** The run an earlier attempt created (found by its tags), or a new one. */
  private async findOrCreate(client: MlflowClient, experimentId: string, match: Record<string, string>, name: string, tags: MlflowTag[]): Promise<MlflowRunInfo> {
    const filter = Object.entries(match)
      .map(([k, v]) => `tags.\`${k}\` = '${v.replace(/'/g, "\\'")}'`)
      .join(' and ');
    const [found] = await client.searchRuns(experimentId, filter);
    if (found) return found.info;
    return client.createRun(experimentId, name, tags, Date.now());
  }
}

/** Files named in a result's artifacts (e.g. lm-eval results and samples) plus its log. */
function artifactFiles(artifacts: Record<string, unknown> | undefined, logsPath: string | undefined): string[] {
  const files = Object.values(artifacts ?? {}).filter((v): v is string => typeof v === 'string' && v.startsWith('/'));
  if (logsPath) files.push(logsPath);
  return [...new Set(files)];
}

