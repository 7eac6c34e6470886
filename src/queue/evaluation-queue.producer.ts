import { InjectFlowProducer, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { REDIS } from '../core/redis/redis.provider';
import { JobRecord } from '../domain/types';
import { fairShareGroup, unitPriority } from '../domain/scheduling';
import { RedisKeys } from '../core/redis/redis-keys';
import { FLOW_PRODUCER, JobName, QueueName } from './queue.constants';

/** How long a waiting unit counts against its tenant's turn at most. */
const WAITING_ENTRY_TTL_MS = 7 * 24 * 3600 * 1000;
import { bullJobId, JobDataMap } from './queue.types';

/** The one place that puts work on the queues: job ids, attempts and backoff live here. */
@Injectable()
export class EvaluationQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EvaluationQueue.name);
  private capRetry?: NodeJS.Timeout;

  constructor(
    @InjectFlowProducer(FLOW_PRODUCER) private readonly flows: FlowProducer,
    @InjectQueue(QueueName.BenchmarkRuns) readonly runs: Queue<JobDataMap[JobName.RunUnit]>,
    @InjectQueue(QueueName.JobFinalize) readonly finalize: Queue<JobDataMap[JobName.FinalizeJob] | JobDataMap[JobName.AutoRetry]>,
    @InjectQueue(QueueName.Tracking) readonly tracking: Queue<JobDataMap[JobName.TrackJob] | JobDataMap[JobName.TrackBenchmark]>,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.applyConcurrencyCap();
  }

  onModuleDestroy(): void {
    clearTimeout(this.capRetry);
  }

  /**
   * Caps running benchmark processes across every worker, not per worker. Boot does not wait for
   * it: until it is set each worker still runs at most its own concurrency, so it is retried in
   * the background and said loudly.
   */
  private async applyConcurrencyCap(): Promise<void> {
    try {
      await this.runs.setGlobalConcurrency(this.cfg.maxConcurrentEvaluations);
    } catch (e) {
      this.logger.error(
        `global cap MAX_CONCURRENT_EVALUATIONS=${this.cfg.maxConcurrentEvaluations} not set (${(e as Error).message}); ` +
          'each worker runs up to that many units until it is; retrying in 10 s',
      );
      this.capRetry = setTimeout(() => void this.applyConcurrencyCap(), 10_000);
      this.capRetry.unref();
    }
  }

  /**
   * A flow: one child per run unit of the job's current attempt (all units at first, the retried
   * ones after POST /retry) and a parent that finalises the job once they are all done.
   */
  async enqueueJob(job: JobRecord): Promise<void> {
    const jobId = job.resource.id;
    const attempt = job.retry_attempt ?? 0;
    const units = (job.runs ?? []).filter((unit) => (unit.attempt ?? 0) === attempt);
    const priorities = await this.takeTurns(job, units.map((u) => bullJobId.unit(jobId, u.key)));
    await this.flows.add({
      name: JobName.FinalizeJob,
      queueName: QueueName.JobFinalize,
      data: { jobId } satisfies JobDataMap[JobName.FinalizeJob],
      opts: { jobId: bullJobId.finalize(jobId, attempt), attempts: 5, backoff: { type: 'exponential', delay: 2000 } },
      children: units.map((unit, i) => ({
        name: JobName.RunUnit,
        queueName: QueueName.BenchmarkRuns,
        data: { jobId, unitKey: unit.key, executor: unit.executor, indexes: unit.indexes, ...(job.resource.tenant ? { tenant: job.resource.tenant } : {}) } as JobDataMap[JobName.RunUnit],
        opts: {
          jobId: bullJobId.unit(jobId, unit.key),
          priority: priorities[i],
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
          // A unit that fails for good must not hold the finaliser back.
          ignoreDependencyOnFailure: true,
        },
      })),
    });
  }

  /**
   * BullMQ priorities for a job's units (domain/scheduling): its class's band plus how many units
   * its tenant has waiting, so tenants take turns. The waiting units of each tenant are a sorted
   * set of queue ids (by when they were queued); a worker takes a unit out when it starts it, and
   * entries older than a week are dropped so a lost one cannot skew a tenant's turn for ever.
   */
  private async takeTurns(job: JobRecord, ids: string[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const key = this.keys.fairShare(fairShareGroup(job.resource.tenant));
    const now = Date.now();
    const replies = (await this.redis.multi().zremrangebyscore(key, 0, now - WAITING_ENTRY_TTL_MS).zcard(key).zadd(key, ...ids.flatMap((id) => [now, id])).pexpire(key, WAITING_ENTRY_TTL_MS).exec()) ?? [];
    const waiting = Number(replies[1]?.[1] ?? 0);
    return ids.map((_, i) => unitPriority(job.config.priority, waiting + i));
  }

  /** A worker took the unit: it no longer counts against its tenant's turn. */
  async unitStarted(data: { jobId: string; unitKey: string; tenant?: string }): Promise<void> {
    await this.redis.zrem(this.keys.fairShare(fairShareGroup(data.tenant)), bullJobId.unit(data.jobId, data.unitKey));
  }

  /**
   * Place in the run queue (1 = next) of each unit of a job that is waiting for a worker. BullMQ
   * takes its wait list first (units without a priority, queued before this version), then the
   * prioritized set in score order.
   */
  async waitingPlaces(jobId: string, unitKeys: string[]): Promise<Map<string, number>> {
    const places = new Map<string, number>();
    if (unitKeys.length === 0) return places;
    const { wait, prioritized } = this.runs.keys;
    // Plain commands rather than a pipeline: the client's auto-pipelining sends them in its next
    // write together with every other read of this tick, where a pipeline costs a write of its own.
    // Units are queued with a priority, so the wait list is scanned only for one not ranked there.
    const ids = unitKeys.map((key) => bullJobId.unit(jobId, key));
    const [length, ranks] = await Promise.all([this.redis.llen(wait), Promise.all(ids.map((id) => this.redis.zrank(prioritized, id)))]);
    unitKeys.forEach((key, i) => {
      const rank = ranks[i];
      if (typeof rank === 'number') places.set(key, length + rank + 1);
    });
    const unranked = unitKeys.flatMap((key, i) => (ranks[i] === null ? [{ key, id: ids[i] }] : []));
    if (unranked.length === 0) return places;
    // The list's length goes out with the scans, so both see the list as it is at one moment.
    const [waitLength, inWait] = await Promise.all([this.redis.llen(wait), Promise.all(unranked.map((u) => this.redis.lpos(wait, u.id)))]);
    unranked.forEach((u, i) => {
      const w = inWait[i];
      if (typeof w === 'number') places.set(u.key, waitLength - w);
    });
    return places;
  }

  /** Whether the queue still holds the job's flow (used to re-enqueue after a lost submit). */
  async hasFlow(job: JobRecord): Promise<boolean> {
    return (await this.finalize.getJob(bullJobId.finalize(job.resource.id, job.retry_attempt ?? 0))) !== undefined;
  }

  /** A finished job's transient failures run again after `delayMs` (once per attempt, whoever asks). */
  async scheduleAutoRetry(data: JobDataMap[JobName.AutoRetry], delayMs: number): Promise<void> {
    await this.finalize.add(JobName.AutoRetry, data, { jobId: bullJobId.autoRetry(data.jobId, data.attempt), delay: delayMs, attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true });
  }

  /** Whether a job's MLflow write is queued (or running). */
  async hasTracking(jobId: string): Promise<boolean> {
    return (await this.tracking.getJob(bullJobId.trackJob(jobId))) !== undefined;
  }

  async trackJob(jobId: string): Promise<void> {
    await this.tracking.add(JobName.TrackJob, { jobId }, this.trackingOpts(bullJobId.trackJob(jobId)));
  }

  async trackBenchmark(jobId: string, index: number): Promise<void> {
    await this.tracking.add(JobName.TrackBenchmark, { jobId, index }, this.trackingOpts(bullJobId.trackBenchmark(jobId, index)));
  }

  private trackingOpts(jobId: string) {
    // MLflow may be down for hours: the worker's custom backoff doubles up to 30 s, so 3000
    // attempts wait about a day before giving up.
    return { jobId, attempts: 3000, backoff: { type: 'custom' as const }, removeOnComplete: true };
  }
}
