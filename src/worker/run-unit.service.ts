import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import type { Redis } from 'ioredis';
import * as path from 'path';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { isGoneOrFinished } from '../domain/errors';
import { withLogFields } from '../core/logging/log-context';
import { whileRedisDown } from '../core/redis/redis-availability';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { isTerminalJobState, unfinishedIndexes, withUsage } from '../domain/job-state';
import { ModelGatewayService } from '../gateway/gateway.module';
import { ResultReuseService } from '../evaluations/result-reuse.service';
import { reusedEvent, wantsReuse } from '../domain/result-reuse';
import type { CacheMode } from '../gateway/response-cache';
import type { GatewayRun } from '../gateway/model-gateway';
import { JobRecord, MessageInfo, ModelUsage } from '../domain/types';
import { ArtifactStash } from '../evaluations/artifact-stash';
import { CallbackTokens } from '../evaluations/callback-tokens';
import { JobEventsService } from '../evaluations/job-events.service';
import { LogWriter } from '../core/logs/job-logs';
import { JobsRepository } from '../evaluations/jobs.repository';
import { ExecutorRegistry } from '../executors/executor.registry';
import { RunContext, RunOutcome, UnitEvent } from '../executors/executor.interface';
import { readModelApiKey, SecretRefError } from '../executors/model-auth';
import { MetricsService } from '../metrics/metrics.service';
import { ProvidersService } from '../providers/providers.service';
import { RunUnitJobData } from '../queue/queue.types';
import { ActiveRuns, StopReason } from './active-runs';
import { redactFiles, redactor } from './key-redaction';
import { RunLeases } from './run-leases';

/**
 * Runs one unit of a job on this worker: skips what is already finished, stops leftovers of a
 * crashed attempt, runs the executor under a timeout and cancel signal, and makes sure every
 * benchmark it was given ends in a terminal state.
 */
/**
 * An executor's event as users should read it: messages name the model's own endpoint, not the
 * gateway's loopback address, a failure says why the gateway gave up, and a finished run has its usage.
 */
function throughGateway(event: UnitEvent, gateway: GatewayRun, modelUrl: string, usage: () => ModelUsage | undefined): UnitEvent {
  const from = new URL(gateway.url).origin;
  const to = new URL(modelUrl).origin;
  const shown = (m: MessageInfo | undefined) => (m ? { ...m, message: m.message.split(from).join(to) } : m);
  const out: UnitEvent = { ...event };
  if (event.error_message) {
    const m = shown(event.error_message)!;
    out.error_message = gateway.lastError && !m.message.includes(gateway.lastError) ? { ...m, message: `${m.message} (model gateway: ${gateway.lastError})` } : m;
  }
  if (event.warning_message) out.warning_message = shown(event.warning_message);
  if (event.status === 'completed' || event.status === 'failed') out.usage = usage();
  return out;
}

const RUN_AVERAGE = `
local avg = tonumber(redis.call('HGET', KEYS[1], 'avg_seconds'))
local x = tonumber(ARGV[1])
if avg then avg = avg + (x - avg) * 0.2 else avg = x end
redis.call('HSET', KEYS[1], 'avg_seconds', tostring(avg))
redis.call('HINCRBY', KEYS[1], 'runs', 1)
return 1`;

/** The response cache for a run: the job's choice; never for performance runs (their timing is the point). */
function cacheModeFor(job: JobRecord, executor: string): CacheMode {
  if (executor === 'guidellm' || job.config.cache === false) return 'off';
  return job.config.cache === 'all' ? 'all' : 'deterministic';
}

/** Executors whose processes run on this machine and so can call the worker's gateway. */
const GATEWAY_EXECUTORS = new Set<string>(['local-process', 'lm_evaluation_harness', 'guidellm', 'garak', 'lighteval', 'ragas']);

@Injectable()
export class RunUnitService {
  private readonly logger = new Logger(RunUnitService.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly events: JobEventsService,
    private readonly providers: ProvidersService,
    private readonly executors: ExecutorRegistry,
    private readonly active: ActiveRuns,
    private readonly keys: RedisKeys,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly stash: ArtifactStash,
    private readonly callbacks: CallbackTokens,
    private readonly leases: RunLeases,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() private readonly gateway?: ModelGatewayService,
    @Optional() private readonly reuse?: ResultReuseService,
  ) {}

  /** Runs the unit; 'interrupted' when this worker's shutdown stopped it (to be run again). */
  async run(data: RunUnitJobData, attempt = 1): Promise<'done' | 'interrupted'> {
    return withLogFields({ job_id: data.jobId, benchmark_index: data.indexes.join(',') }, () => this.runInScope(data, attempt));
  }

  private async runInScope(data: RunUnitJobData, attempt: number): Promise<'done' | 'interrupted'> {
    const here = this.active.running(data.jobId, data.unitKey);
    if (here) {
      // Handed out again while it still runs in this process: wait for that run, do not start another.
      this.logger.warn(`unit ${data.unitKey} of job ${data.jobId} is already running here (its queue lock lapsed); waiting for it`);
      await here.finished;
      return here.reason() === 'shutdown' ? 'interrupted' : 'done';
    }
    const job = await this.jobs.get(data.jobId);
    if (!job || isTerminalJobState(job.status.state)) return 'done';
    let indexes = unfinishedIndexes(job, data.indexes);
    if (wantsReuse(job, this.cfg.reuse.byDefault)) indexes = await this.takeOverEqualResults(job, indexes);
    if (indexes.length === 0) return 'done';
    const owner = randomUUID();
    await this.leases.stopEarlierAttempt(data, owner);

    const provider = (await this.providers.store.get(job.benchmarks[indexes[0]].provider_id)) ?? undefined;
    const executor = this.executors.get(provider ? data.executor : 'unavailable');
    this.logger.log(`running ${indexes.map((i) => job.benchmarks[i].id).join(',')} with ${data.executor}`);
    const unitDir = path.join(this.cfg.dataDir, 'jobs', job.resource.id, data.unitKey);
    let modelApiKey: string | undefined;
    try {
      // On Kubernetes the reference is a Secret mounted into the pod; the worker never reads it.
      if (data.executor !== 'kubernetes') modelApiKey = readModelApiKey(job.config.model.auth?.secret_ref, this.cfg);
    } catch (e) {
      if (!(e instanceof SecretRefError)) throw e;
      // Said now, in the benchmark, rather than as an unexplained 401 from the model later.
      await this.failUnfinished(data.jobId, indexes, { message: e.message, message_code: 'model_secret_unavailable', message_origin: 'runtime' });
      return 'done';
    }
    const redact = redactor(modelApiKey);
    const logs = new LogWriter(this.redis, this.keys.logStream(job.resource.id, data.unitKey), path.join(unitDir, 'jobrun.log'), redact ?? ((s) => s));
    const run = this.active.start(job.resource.id, data.unitKey, Math.round(this.cfg.defaultTimeoutMinutes * 60_000));
    // The adapter's credential for /events: this unit's benchmarks only, for as long as the run lasts.
    const callbackToken = await this.callbacks.issue(
      { jobId: job.resource.id, tenant: job.resource.tenant, unitKey: data.unitKey, indexes, attempt },
      this.cfg.defaultTimeoutMinutes * 60 + 3600,
    );
    // Local backends and adapters reach the model through this worker's gateway: it holds the key
    // (the backend never sees it), keeps to the endpoint's limits and counts what the run cost.
    const gateway = GATEWAY_EXECUTORS.has(data.executor)
      ? await this.gateway?.open(job.config.model.url, modelApiKey, (l) => logs.line(l), { tenant: job.resource.tenant, cache: cacheModeFor(job, data.executor) })
      : undefined;
    if (gateway) logs.line(`[evalhub] model calls go through the gateway at ${gateway.url}`);
    const usage = () =>
      gateway?.usage(indexes.length > 1 ? { scope: 'unit', shared_with: indexes.map((i) => job.benchmarks[i].id) } : { scope: 'benchmark' });
    const runJob: JobRecord = gateway ? { ...job, config: { ...job.config, model: { ...job.config.model, url: gateway.url } } } : job;
    const ctx: RunContext = {
      job: runJob,
      unitKey: data.unitKey,
      indexes,
      provider,
      cfg: this.cfg,
      signal: run.signal,
      benchmarkDone: (index) => run.benchmarkSignal(index),
      logs,
      report: (index, event) => this.report(job, index, gateway ? throughGateway(event, gateway, job.config.model.url!, usage) : event, redact),
      workDir: (index) => {
        const b = job.benchmarks[index];
        const dir = path.join(this.cfg.dataDir, 'jobs', job.resource.id, String(index), b.provider_id, b.id);
        fs.mkdirSync(dir, { recursive: true });
        return dir;
      },
      recordProcess: (pid) => this.leases.record(data, pid, owner),
      currentJob: () => this.jobs.get(job.resource.id),
      attempt,
      callbackToken,
      modelApiKey: gateway ? undefined : modelApiKey,
    };
    let outcome: RunOutcome | undefined;
    let crash: Error | undefined;
    const started = Date.now();
    this.metrics?.runningProcesses.inc();
    try {
      outcome = await executor.run(ctx);
    } catch (e) {
      crash = e as Error;
      logs.line(`[evalhub] executor error: ${crash.message}`);
    } finally {
      this.metrics?.runningProcesses.dec();
      this.metrics?.runFinished(job.benchmarks[indexes[0]].provider_id, data.executor, run.reason() ?? (crash ? 'error' : outcome?.exitCode === 0 ? 'exited_ok' : 'exited_error'), (Date.now() - started) / 1000);
      run.done();
      if (gateway) {
        // An adapter reported through /events, without the usage: add it to its results now.
        const counted = usage();
        if (counted) this.metrics?.modelUsage(job.benchmarks[indexes[0]].provider_id, counted);
        // Only when the adapter called the model: the result is already final, and an amended
        // one is one more write readers see.
        if (counted && counted.requests + counted.cached > 0) {
          for (const i of indexes) await this.jobs.update(job.resource.id, (j) => withUsage(j, i, counted)).catch(() => undefined);
        }
        await gateway.close();
      }
      await logs.close();
      await this.callbacks.revoke(callbackToken).catch((e) => this.logger.warn(`callback token of unit ${data.unitKey} not revoked (expires with its TTL): ${(e as Error).message}`));
    }
    const superseded = !(await this.leases.release(data, owner));
    const reason = run.reason();
    // A run that ran its course feeds the queue's start estimates (a moving average, 1/5 weight).
    if (!reason && !crash) await this.redis.eval(RUN_AVERAGE, 1, this.keys.runStats, (Date.now() - started) / 1000).catch(() => undefined);
    if (reason === 'shutdown') return 'interrupted';
    if (reason === 'cancelled') return 'done';
    if (superseded) {
      // Another attempt took the unit over and stopped this run's process: its outcome is not ours to report.
      this.logger.warn(`run of unit ${data.unitKey} of job ${data.jobId} was taken over by another attempt`);
      return 'done';
    }
    await this.failUnfinished(data.jobId, indexes, this.failureMessage(reason, outcome, crash, logs));
    return 'done';
  }

  /** Benchmarks an equal completed one of the tenant answers are completed with its result; the rest still run. */
  private async takeOverEqualResults(job: JobRecord, indexes: number[]): Promise<number[]> {
    const rest: number[] = [];
    for (const index of indexes) {
      const found = this.reuse ? await this.reuse.find(job, index) : undefined;
      if (!found) {
        rest.push(index);
        continue;
      }
      this.logger.log(`benchmark ${job.benchmarks[index].id} of job ${job.resource.id}: reusing the result of job ${found.source.job_id}`);
      await this.report(job, index, reusedEvent(found.result, found.source));
    }
    return rest;
  }

  /** Marks benchmarks of the unit that never reached a terminal state as failed, with why. */
  private async failUnfinished(jobId: string, indexes: number[], message: MessageInfo): Promise<void> {
    const job = await this.jobs.get(jobId);
    if (!job || isTerminalJobState(job.status.state)) return;
    for (const index of unfinishedIndexes(job, indexes)) {
      await this.report(job, index, { status: 'failed', error_message: message });
    }
  }

  private failureMessage(reason: StopReason | undefined, outcome: RunOutcome | undefined, crash: Error | undefined, logs: LogWriter): MessageInfo {
    const tail = logs
      .lastLines(20)
      .filter((l) => !l.startsWith('[evalhub]'))
      .slice(-5)
      .join(' | ');
    if (reason === 'timeout') {
      return {
        message: `The run exceeded the timeout of ${this.cfg.defaultTimeoutMinutes} minute(s) and was stopped.`,
        message_code: 'evaluation_timeout',
        message_origin: 'runtime',
      };
    }
    if (crash) return { message: `The executor failed: ${crash.message}`, message_code: 'executor_error', message_origin: 'runtime' };
    const how = outcome?.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome?.exitCode}`;
    return {
      message: `The adapter ${how} without reporting a result.${tail ? ` Last log lines: ${tail}` : ''}`,
      message_code: 'adapter_exited_without_result',
      message_origin: 'runtime',
    };
  }

  private async report(job: JobRecord, index: number, event: UnitEvent, redact?: (s: string) => string): Promise<void> {
    const b = job.benchmarks[index];
    const terminal = event.status === 'completed' || event.status === 'failed';
    const files = terminal ? Object.values(event.artifacts ?? {}).filter((v): v is string => typeof v === 'string' && path.isAbsolute(v)) : [];
    if (terminal && event.logs_path) files.push(event.logs_path);
    if (redact) {
      // The model's key never reaches results, artifacts or MLflow, whatever the backend printed.
      event = JSON.parse(redact(JSON.stringify(event))) as UnitEvent;
      redactFiles(files, redact);
    }
    // Before the event can finish the job (and start its MLflow recording, maybe on another
    // worker): the files then stay downloadable through any API replica.
    if (terminal) await this.stash.keep(job.resource.id, index, files);
    try {
      // A result must survive a Redis restart: wait for it rather than lose the run.
      await whileRedisDown(() => this.events.apply(job.resource.id, { ...event, id: b.id, provider_id: b.provider_id, benchmark_index: index }, 'worker'), 120_000, 500);
    } catch (e) {
      // A job cancelled or deleted meanwhile rejects further events; that is expected. A deleted
      // one must not keep the files just stashed for it (the delete removed the rest).
      if (isGoneOrFinished(e)) {
        if (terminal && !(await this.jobs.get(job.resource.id).catch(() => job))) await this.stash.drop(job.resource.id).catch(() => undefined);
        return;
      }
      throw e;
    }
  }
}
