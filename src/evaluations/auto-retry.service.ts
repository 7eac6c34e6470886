import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { autoRetryPlan, retryFailedBenchmarks } from '../domain/job-retry';
import { isTerminalJobState } from '../domain/job-state';
import { EvaluationQueue } from '../queue/evaluation-queue.producer';
import { AutoRetryData } from '../queue/queue.types';
import { JobEventsBus } from './job-events.bus';
import { JobsRepository } from './jobs.repository';

/**
 * Automatic retry of what failed for a transient reason: when a job finishes with such failures
 * and has attempts left (the job's auto_retry, else the deployment's), a delayed queue job runs
 * them again in place after the backoff, as POST /retry would.
 */
@Injectable()
export class AutoRetryService implements OnModuleInit {
  private readonly logger = new Logger(AutoRetryService.name);

  constructor(
    private readonly bus: JobEventsBus,
    private readonly queue: EvaluationQueue,
    private readonly jobs: JobsRepository,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.on(async ({ before, after }) => {
      if (isTerminalJobState(before.status.state) || !isTerminalJobState(after.status.state)) return;
      const own = after.config.auto_retry;
      const plan = autoRetryPlan(after, { maxAttempts: own?.max_attempts ?? this.cfg.autoRetry.maxAttempts, backoffSeconds: own?.backoff_seconds ?? this.cfg.autoRetry.backoffSeconds });
      if (!plan) return;
      this.logger.log(`job ${after.resource.id}: ${plan.indexes.length} benchmark(s) failed for a transient reason; retry ${plan.attempt} in ${plan.delayMs / 1000} s`);
      await this.queue.scheduleAutoRetry({ jobId: after.resource.id, attempt: plan.attempt, indexes: plan.indexes }, plan.delayMs);
    });
  }

  /** Runs a scheduled retry, unless the job changed meanwhile (retried by hand, deleted, running). */
  async run(data: AutoRetryData): Promise<void> {
    const res = await this.jobs.update(data.jobId, (j) =>
      isTerminalJobState(j.status.state) && (j.retry_attempt ?? 0) === data.attempt - 1 && j.status.benchmarks.some((b) => data.indexes.includes(b.benchmark_index) && b.status === 'failed')
        ? retryFailedBenchmarks(j, new Date().toISOString(), data.indexes).job
        : j,
    );
    if (!res || res.after === res.before) return;
    await this.queue.enqueueJob(res.after);
    await this.bus.emit({ before: res.before, after: res.after, source: 'worker' });
  }
}
