import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { QueueName } from '../queue/queue.constants';
import { parseRunUnitData, RunUnitJobData } from '../queue/queue.types';
import { EvaluationQueue } from '../queue/evaluation-queue.producer';
import { RunUnitService } from './run-unit.service';
import { runWorkerOptions } from './worker-options';

/** Consumes benchmark-runs: one BullMQ job per run unit. Thin: parsing and delegation only. */
@Processor(QueueName.BenchmarkRuns, runWorkerOptions())
export class RunUnitProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RunUnitProcessor.name);

  constructor(
    private readonly units: RunUnitService,
    private readonly queue: EvaluationQueue,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.cfg.maxConcurrentEvaluations;
  }

  async process(job: Job<RunUnitJobData>, token?: string): Promise<void> {
    const data = parseRunUnitData(job.data);
    // Started: it no longer counts against its tenant's turn (a failed call only skews turns a little).
    await this.queue.unitStarted(data).catch((e: unknown) => this.logger.warn(`turn bookkeeping of ${job.id}: ${(e as Error).message}`));
    const outcome = await this.units.run(data, job.attemptsMade + 1);
    if (outcome === 'interrupted' && token) {
      // Back to the queue without using up an attempt: the next worker runs (or adopts) it.
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn(`run unit ${job?.id ?? '?'} attempt ${job?.attemptsMade ?? '?'} failed: ${err.message}`);
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.error(`worker error: ${err.message}`, err.stack);
  }
}
