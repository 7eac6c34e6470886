import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { whileRedisDown } from '../core/redis/redis-availability';
import { isGoneOrFinished } from '../domain/errors';
import { isTerminalJobState, unfinishedIndexes } from '../domain/job-state';
import { JobEventsService } from '../evaluations/job-events.service';
import { JobsRepository } from '../evaluations/jobs.repository';
import { JobName, QueueName } from '../queue/queue.constants';
import { AutoRetryData, FinalizeJobData } from '../queue/queue.types';
import { AutoRetryService } from '../evaluations/auto-retry.service';

/**
 * Runs once every unit of a job is done. A unit that failed for good (all attempts used) leaves
 * benchmarks unfinished; they are failed here so the job always reaches a terminal state.
 */
@Processor(QueueName.JobFinalize)
export class FinalizeJobProcessor extends WorkerHost {
  private readonly logger = new Logger(FinalizeJobProcessor.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly events: JobEventsService,
    private readonly autoRetry: AutoRetryService,
  ) {
    super();
  }

  async process(job: Job<FinalizeJobData | AutoRetryData>): Promise<void> {
    // The same queue carries the delayed automatic retries of finished jobs.
    if (job.name === JobName.AutoRetry) return this.autoRetry.run(job.data as AutoRetryData);
    const record = await this.jobs.get(job.data.jobId);
    if (!record || isTerminalJobState(record.status.state)) return;
    const left = unfinishedIndexes(record, record.benchmarks.map((_, i) => i));
    for (const index of left) {
      const b = record.benchmarks[index];
      const failed = () =>
        this.events.apply(
          record.resource.id,
          {
            id: b.id,
            provider_id: b.provider_id,
            benchmark_index: index,
            status: 'failed',
            error_message: { message: 'The benchmark run ended without a result after all retries.', message_code: 'run_failed', message_origin: 'runtime' },
          },
          'worker',
        );
      try {
        // Outlast a Redis restart here; anything else throws, and BullMQ retries the finaliser
        // (5 attempts), so the job still reaches a terminal state.
        await whileRedisDown(failed, 120_000, 500);
      } catch (e) {
        // Cancelled, finished or deleted meanwhile: nothing left to fail.
        if (isGoneOrFinished(e)) return;
        throw e;
      }
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn(`finalize ${job?.id ?? '?'} failed: ${err.message}`);
  }
}
