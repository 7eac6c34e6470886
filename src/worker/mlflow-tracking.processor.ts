import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, Optional } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { MetricsService } from '../metrics/metrics.service';
import { MlflowError } from '../mlflow/mlflow.client';
import { MlflowSync } from '../mlflow/mlflow-sync.service';
import { QueueName } from '../queue/queue.constants';
import { TrackJobData } from '../queue/queue.types';

/** Doubling delays between attempts, capped, so an MLflow outage of hours is waited out. */
export function trackingBackoff(attemptsMade: number): number {
  return Math.min(30000, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

/** Consumes mlflow-tracking: writes finished jobs to MLflow, retrying while MLflow is down. */
@Processor(QueueName.Tracking, { concurrency: 2, settings: { backoffStrategy: trackingBackoff } })
export class MlflowTrackingProcessor extends WorkerHost {
  private readonly logger = new Logger(MlflowTrackingProcessor.name);

  constructor(
    private readonly sync: MlflowSync,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    super();
  }

  async process(job: Job<TrackJobData>): Promise<void> {
    try {
      await this.sync.syncJob(job.data.jobId);
    } catch (e) {
      const err = e as Error;
      this.metrics?.mlflowWriteFailed();
      const retryable = !(err instanceof MlflowError) || err.retryable;
      await this.sync.markPending(job.data.jobId, err.message, retryable ? 'pending' : 'failed').catch(() => undefined);
      if (!retryable) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn(`MLflow tracking of ${job?.data?.jobId ?? '?'} (attempt ${job?.attemptsMade ?? '?'}) failed: ${err.message}`);
  }
}
