import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DocumentStore } from '../core/redis/document-store';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { isTerminalJobState } from '../domain/job-state';
import { JobRecord } from '../domain/types';

/** A job may still need work from a worker: it has not finished, or MLflow has not recorded it. */
export function needsWork(job: JobRecord): boolean {
  return !isTerminalJobState(job.status.state) || job.tracking?.state === 'pending';
}

/**
 * Evaluation jobs in Redis: one JSON document per job plus creation-ordered indexes, and a set of
 * the jobs that still need work, so a starting worker's recovery scan reads only those.
 */
@Injectable()
export class JobsRepository extends DocumentStore<JobRecord> {
  private readonly activeKey: string;

  constructor(@Inject(REDIS) private readonly client: Redis, keys: RedisKeys) {
    super(client, keys, 'job');
    this.activeKey = `${keys.index('job')}:active`;
  }

  override async put(doc: JobRecord): Promise<void> {
    await super.put(doc);
    await this.track(doc);
  }

  override async update(id: string, fn: (doc: JobRecord) => JobRecord): Promise<{ before: JobRecord; after: JobRecord } | undefined> {
    const res = await super.update(id, fn);
    if (res && res.after !== res.before) await this.track(res.after);
    return res;
  }

  override async delete(doc: JobRecord): Promise<boolean> {
    const gone = await super.delete(doc);
    await this.client.srem(this.activeKey, doc.resource.id);
    return gone;
  }

  /** Jobs that may still need work (a superset: callers check each document). */
  async activeIds(): Promise<string[]> {
    return this.client.smembers(this.activeKey);
  }

  async forget(id: string): Promise<void> {
    await this.client.srem(this.activeKey, id);
  }

  private async track(job: JobRecord): Promise<void> {
    if (needsWork(job)) await this.client.sadd(this.activeKey, job.resource.id);
    else await this.client.srem(this.activeKey, job.resource.id);
  }
}
