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
import { isTerminalJobState, unfinishedIndexes } from '../domain/job-state';
import { JobRecord, MessageInfo } from '../domain/types';
import { ArtifactStash } from '../evaluations/artifact-stash';
import { JobEventsService } from '../evaluations/job-events.service';
import { LogWriter } from '../core/logs/job-logs';
import { JobsRepository } from '../evaluations/jobs.repository';
import { ExecutorRegistry } from '../executors/executor.registry';
import { RunContext, RunOutcome, UnitEvent } from '../executors/executor.interface';
import { isAlive, killGroup } from '../executors/process-group';
import { MetricsService } from '../metrics/metrics.service';
import { ProvidersService } from '../providers/providers.service';
import { RunUnitJobData } from '../queue/queue.types';
import { ActiveRuns, StopReason } from './active-runs';

interface Lease {
  host: string;
  pid: number;
  /** Which run wrote it: a run whose lease was taken over was superseded and reports nothing. */
  owner: string;
}

// Deletes the lease only if it is still the caller's; answers 0 only when another attempt owns
// it (no lease at all: no process was recorded, or it ran out).
const RELEASE_LEASE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 1 end
if cjson.decode(cur).owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * Runs one unit of a job on this worker: skips what is already finished, stops leftovers of a
 * crashed attempt, runs the executor under a timeout and cancel signal, and makes sure every
 * benchmark it was given ends in a terminal state.
 */
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
    @Optional() private readonly metrics?: MetricsService,
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
    const indexes = unfinishedIndexes(job, data.indexes);
    if (indexes.length === 0) return 'done';
    const owner = randomUUID();
    await this.stopEarlierAttempt(data, owner);

    const provider = (await this.providers.store.get(job.benchmarks[indexes[0]].provider_id)) ?? undefined;
    const executor = this.executors.get(provider ? data.executor : 'unavailable');
    this.logger.log(`running ${indexes.map((i) => job.benchmarks[i].id).join(',')} with ${data.executor}`);
    const unitDir = path.join(this.cfg.dataDir, 'jobs', job.resource.id, data.unitKey);
    const logs = new LogWriter(this.redis, this.keys.logStream(job.resource.id, data.unitKey), path.join(unitDir, 'jobrun.log'), redactor(job));
    const run = this.active.start(job.resource.id, data.unitKey, Math.round(this.cfg.defaultTimeoutMinutes * 60_000));
    const ctx: RunContext = {
      job,
      unitKey: data.unitKey,
      indexes,
      provider,
      cfg: this.cfg,
      signal: run.signal,
      logs,
      report: (index, event) => this.report(job, index, event),
      workDir: (index) => {
        const b = job.benchmarks[index];
        const dir = path.join(this.cfg.dataDir, 'jobs', job.resource.id, String(index), b.provider_id, b.id);
        fs.mkdirSync(dir, { recursive: true });
        return dir;
      },
      recordProcess: (pid) => this.recordLease(data, pid, owner),
      currentJob: () => this.jobs.get(job.resource.id),
      attempt,
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
      await logs.close();
    }
    const superseded = !(await this.releaseLease(data, owner));
    const reason = run.reason();
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

  private async report(job: JobRecord, index: number, event: UnitEvent): Promise<void> {
    const b = job.benchmarks[index];
    // Before the event can finish the job (and start its MLflow recording, maybe on another worker).
    if (job.config.experiment && (event.status === 'completed' || event.status === 'failed')) {
      const files = Object.values(event.artifacts ?? {}).filter((v): v is string => typeof v === 'string' && path.isAbsolute(v));
      if (event.logs_path) files.push(event.logs_path);
      await this.stash.keep(job.resource.id, index, files);
    }
    try {
      // A result must survive a Redis restart: wait for it rather than lose the run.
      await whileRedisDown(() => this.events.apply(job.resource.id, { ...event, id: b.id, provider_id: b.provider_id, benchmark_index: index }, 'worker'), 120_000, 500);
    } catch (e) {
      // A job cancelled or deleted meanwhile rejects further events; that is expected.
      if (isGoneOrFinished(e)) return;
      throw e;
    }
  }

  private async recordLease(data: RunUnitJobData, pid: number, owner: string): Promise<void> {
    const lease: Lease = { host: this.cfg.hostname, pid, owner };
    const ttl = Math.ceil(this.cfg.defaultTimeoutMinutes * 60) + 3600;
    await this.redis.set(this.keys.runLease(data.jobId, data.unitKey), JSON.stringify(lease), 'EX', ttl);
  }

  /** Drops this run's lease; false when another attempt had taken it over. */
  private async releaseLease(data: RunUnitJobData, owner: string): Promise<boolean> {
    const key = this.keys.runLease(data.jobId, data.unitKey);
    try {
      return (await this.redis.eval(RELEASE_LEASE, 1, key, owner)) === 1;
    } catch {
      return true;
    }
  }

  /**
   * A unit picked up again after its worker died may still have that worker's process running on
   * this host; stop it so the benchmark is not run twice at once.
   */
  private async stopEarlierAttempt(data: RunUnitJobData, owner: string): Promise<void> {
    const key = this.keys.runLease(data.jobId, data.unitKey);
    const raw = await this.redis.get(key);
    if (!raw) return;
    const lease = JSON.parse(raw) as Lease;
    // Take the lease over first, so the earlier run (if its worker lives) knows it was superseded.
    await this.redis.set(key, JSON.stringify({ host: this.cfg.hostname, pid: 0, owner } satisfies Lease), 'KEEPTTL');
    if (lease.host === this.cfg.hostname && isAlive(lease.pid)) {
      this.logger.warn(`stopping process group ${lease.pid} left by an earlier attempt`);
      killGroup(lease.pid, 500);
      for (let i = 0; i < 40 && isAlive(lease.pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Keeps secrets out of logs: the model's auth reference and any API key in the environment. */
function redactor(job: JobRecord): (s: string) => string {
  const secrets = [job.config.model.auth?.secret_ref, process.env.OPENAI_API_KEY].filter((s): s is string => !!s && s.length >= 4);
  if (secrets.length === 0) return (s) => s;
  return (s) => secrets.reduce((acc, sec) => acc.split(sec).join('***'), s);
}
