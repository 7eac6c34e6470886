import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DocumentStore } from '../core/redis/document-store';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { isTerminalJobState } from '../domain/job-state';
import { jobChangeEntry, jobSnapshot } from '../domain/job-stream';
import { JobRecord } from '../domain/types';

/** Entries kept per job stream (a job writes a few per benchmark and per progress step). */
export const JOB_STREAM_LENGTH = 500;
const CHANGES_STREAM_LENGTH = 10000;

/** A job may still need work from a worker: it has not finished, or MLflow has not recorded it. */
export function needsWork(job: JobRecord): boolean {
  return !isTerminalJobState(job.status.state) || job.tracking?.state === 'pending';
}

/**
 * Evaluation jobs in Redis: one JSON document per job plus creation-ordered indexes, and a set of
 * the jobs that still need work, so a starting worker's recovery scan reads only those. The set
 * changes in the same MULTI / script as the document, so a crash between the two cannot hide a
 * job from recovery.
 */
@Injectable()
export class JobsRepository extends DocumentStore<JobRecord> {
  private readonly activeKey: string;

  constructor(@Inject(REDIS) private readonly client: Redis, keys: RedisKeys) {
    super(client, keys, 'job', [{ key: keys.activeJobs, has: needsWork }], [
      // Every write of a job, in order, for its live stream (GET /jobs/{id}/stream) …
      { key: (j) => keys.jobStream(j.resource.id), entry: (j) => JSON.stringify(jobSnapshot(j)), maxLen: JOB_STREAM_LENGTH, perDocument: true },
      // … and one line per write for the all-jobs stream (list views).
      { key: () => keys.jobChanges, entry: (j) => JSON.stringify(jobChangeEntry(j)), maxLen: CHANGES_STREAM_LENGTH, perDocument: false },
    ]);
    this.activeKey = keys.activeJobs;
  }

  /** Jobs that may still need work (a superset: callers check each document). */
  async activeIds(): Promise<string[]> {
    return this.client.smembers(this.activeKey);
  }

  async forget(id: string): Promise<void> {
    await this.client.srem(this.activeKey, id);
  }
}
