import { Injectable, Logger } from '@nestjs/common';
import { JobRecord } from '../domain/types';

export interface JobChange {
  before: JobRecord;
  after: JobRecord;
  /** Index of the benchmark the change was about, if any. */
  index?: number;
  source: 'api' | 'worker';
}

type Listener = (change: JobChange) => Promise<void> | void;
type SubmitListener = (job: JobRecord) => void;

/**
 * In-process notifications after a job was submitted or its document changed (metrics, MLflow
 * tracking), so the job code needs no import of its listeners. Listeners must not fail the
 * change: their errors are logged (each listener retries or catches up on its own).
 */
@Injectable()
export class JobEventsBus {
  private readonly listeners: Listener[] = [];
  private readonly submitListeners: SubmitListener[] = [];
  private readonly logger = new Logger(JobEventsBus.name);

  on(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** A job was accepted (stored and queued). */
  onSubmitted(listener: SubmitListener): void {
    this.submitListeners.push(listener);
  }

  async submitted(job: JobRecord): Promise<void> {
    for (const l of this.submitListeners) {
      try {
        l(job);
      } catch (e) {
        this.logger.warn(`job submit listener failed: ${(e as Error).message}`);
      }
    }
  }

  async emit(change: JobChange): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(change);
      } catch (e) {
        this.logger.warn(`job change listener failed: ${(e as Error).message}`);
      }
    }
  }
}
