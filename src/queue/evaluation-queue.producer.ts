import { InjectFlowProducer, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { REDIS } from '../core/redis/redis.provider';
import { JobRecord } from '../domain/types';
import { FLOW_PRODUCER, JobName, QueueName } from './queue.constants';
import { bullJobId, JobDataMap } from './queue.types';

/** The one place that puts work on the queues: job ids, attempts and backoff live here. */
@Injectable()
export class EvaluationQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EvaluationQueue.name);
  private capRetry?: NodeJS.Timeout;

  constructor(
    @InjectFlowProducer(FLOW_PRODUCER) private readonly flows: FlowProducer,
    @InjectQueue(QueueName.BenchmarkRuns) readonly runs: Queue<JobDataMap[JobName.RunUnit]>,
    @InjectQueue(QueueName.JobFinalize) readonly finalize: Queue<JobDataMap[JobName.FinalizeJob]>,
    @InjectQueue(QueueName.Tracking) readonly tracking: Queue<JobDataMap[JobName.TrackJob] | JobDataMap[JobName.TrackBenchmark]>,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
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
    await this.flows.add({
      name: JobName.FinalizeJob,
      queueName: QueueName.JobFinalize,
      data: { jobId } satisfies JobDataMap[JobName.FinalizeJob],
      opts: { jobId: bullJobId.finalize(jobId, attempt), attempts: 5, backoff: { type: 'exponential', delay: 2000 } },
      children: (job.runs ?? []).filter((unit) => (unit.attempt ?? 0) === attempt).map((unit) => ({
        name: JobName.RunUnit,
        queueName: QueueName.BenchmarkRuns,
        data: { jobId, unitKey: unit.key, executor: unit.executor, indexes: unit.indexes } as JobDataMap[JobName.RunUnit],
        opts: {
          jobId: bullJobId.unit(jobId, unit.key),
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
          // A unit that fails for good must not hold the finaliser back.
          ignoreDependencyOnFailure: true,
        },
      })),
    });
  }

  /**
   * Place in the run queue (1 = next) of each unit of a job that is waiting for a worker. Waiting
   * units are pushed on the left of BullMQ's wait list and taken from the right.
   */
  async waitingPlaces(jobId: string, unitKeys: string[]): Promise<Map<string, number>> {
    const places = new Map<string, number>();
    if (unitKeys.length === 0) return places;
    const waitKey = this.runs.keys.wait;
    const pipe = this.redis.pipeline().llen(waitKey);
    for (const key of unitKeys) pipe.lpos(waitKey, bullJobId.unit(jobId, key));
    const replies = (await pipe.exec()) ?? [];
    const length = Number(replies[0]?.[1] ?? 0);
    unitKeys.forEach((key, i) => {
      const at = replies[i + 1]?.[1];
      if (typeof at === 'number') places.set(key, length - at);
    });
    return places;
  }

  /** Whether the queue still holds the job's flow (used to re-enqueue after a lost submit). */
  async hasFlow(job: JobRecord): Promise<boolean> {
    return (await this.finalize.getJob(bullJobId.finalize(job.resource.id, job.retry_attempt ?? 0))) !== undefined;
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
