import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { isTerminalJobState } from '../domain/job-state';
import { JobControl } from '../evaluations/job-control';
import { JobsRepository, needsWork } from '../evaluations/jobs.repository';
import { EvaluationQueue } from '../queue/evaluation-queue.producer';
import { ActiveRuns } from './active-runs';
import { RunUnitProcessor } from './run-unit.processor';

/**
 * Worker start and stop: listens for cancels, re-queues accepted jobs whose queue entries were
 * lost, and on SIGTERM stops taking work, lets running units finish for a while, then stops them
 * (they are retried elsewhere) so no process outlives the worker.
 */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerLifecycle.name);

  constructor(
    private readonly control: JobControl,
    private readonly active: ActiveRuns,
    private readonly jobs: JobsRepository,
    private readonly queue: EvaluationQueue,
    private readonly runProcessor: RunUnitProcessor,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.control.subscribe((msg) => {
      if (msg.type === 'benchmark-finished') this.active.benchmarkFinished(msg.jobId, msg.index);
      if (msg.type === 'cancel') {
        const n = this.active.cancelJob(msg.jobId);
        if (n) this.logger.log(`cancel: stopping ${n} run(s) of job ${msg.jobId}`);
      }
    });
    void this.requeueLostJobs().catch((e) => this.logger.warn(`recovery scan failed: ${(e as Error).message}`));
  }

  /**
   * Jobs stored as accepted whose flow is missing from the queue (e.g. Redis lost it) run again;
   * finished jobs whose MLflow write was never queued get it queued. Only jobs that still need
   * work are read.
   */
  async requeueLostJobs(): Promise<number> {
    let n = 0;
    const ids = await this.jobs.activeIds();
    const docs = await this.jobs.getMany(ids);
    const found = new Set(docs.map((d) => d.resource.id));
    for (const id of ids) if (!found.has(id)) await this.jobs.forget(id);
    for (const job of docs) {
      if (!needsWork(job)) {
        await this.jobs.forget(job.resource.id);
        continue;
      }
      if (isTerminalJobState(job.status.state)) {
        if (!(await this.queue.hasTracking(job.resource.id))) {
          await this.queue.trackJob(job.resource.id);
          n++;
        }
        continue;
      }
      if (await this.queue.hasFlow(job)) continue;
      await this.queue.enqueueJob(job);
      n++;
    }
    if (n) this.logger.warn(`re-queued work for ${n} job(s) that had no queue entry`);
    return n;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`shutting down (${signal ?? 'close'}): no new work; ${this.active.size} run(s) active`);
    // Redis gone at shutdown: nothing new can be handed out anyway; go on stopping the runs.
    await this.runProcessor.worker.pause(true).catch(() => undefined);
    const idle = await this.active.waitIdle(this.cfg.shutdownTimeoutSeconds * 1000);
    if (!idle) {
      this.logger.warn(`runs still active after ${this.cfg.shutdownTimeoutSeconds}s; stopping them for a retry elsewhere`);
      this.active.stopAll('shutdown');
      await this.active.waitIdle(5000);
    }
  }
}
