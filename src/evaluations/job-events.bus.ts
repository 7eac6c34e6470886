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

/**
 * In-process notifications after a job document changed (metrics, MLflow tracking). Listeners
 * must not fail the change: errors are logged and swallowed.
 */
@Injectable()
export class JobEventsBus {
  private readonly listeners: Listener[] = [];
  private readonly logger = new Logger(JobEventsBus.name);

  on(listener: Listener): void {
    this.listeners.push(listener);
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
