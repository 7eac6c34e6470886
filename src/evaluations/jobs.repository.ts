import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, randomUUID } from 'crypto';
import type { Redis } from 'ioredis';
import { DocumentStore } from '../core/redis/document-store';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { KeptCounts, SortedSetPage, sortedSetPage } from '../core/redis/sorted-set-page';
import { ALL_JOBS, JobListLeaf, jobListTerms, JobListValues, jobListValues } from '../domain/job-list';
import { isTerminalJobState } from '../domain/job-state';
import { jobChangeEntry, jobSnapshot } from '../domain/job-stream';
import { leavesOf, mapLeaves, SetExpr } from '../domain/set-expr';
import { JobRecord } from '../domain/types';

/** Entries kept per job stream (a job writes a few per benchmark and per progress step). */
export const JOB_STREAM_LENGTH = 500;
/**
 * How long a finished job's stream stays after its last write: a watcher that reconnects within
 * it gets what it missed; after it, the stream gives the final result alone, as for a job older
 * than streams. The streams were two thirds of Redis's memory per stored job.
 */
export const FINISHED_STREAM_KEPT_MS = 60 * 60 * 1000;
const CHANGES_STREAM_LENGTH = 10000;
/**
 * Layout of the job list indexes (RedisKeys.jobListIndex). Stored under jobListIndexVersion once
 * every job is in them; a process that finds another value fills them from the documents.
 */
const LIST_INDEX_VERSION = '1';
const FILL_CHUNK = 500;
const FILL_LOCK_MS = 60_000;
/** Stored versions kept for lists: ten pages of the default size. */
const LISTED_KEPT = 500;

/**
 * One stored version of a job as a list uses it: the document as stored and the values the list
 * filters read. The same object comes back while the stored document stays the same, so a
 * page of unchanged jobs is neither parsed again nor (see JobListBodies) rendered again.
 */
export interface ListedJob {
  readonly id: string;
  readonly raw: string;
  readonly values: JobListValues;
}

/** A job may still need work from a worker: it has not finished, or MLflow has not recorded it. */
export function needsWork(job: JobRecord): boolean {
  return !isTerminalJobState(job.status.state) || job.tracking?.state === 'pending';
}

/**
 * Evaluation jobs in Redis: one JSON document per job plus creation-ordered indexes, and a set of
 * the jobs that still need work, so a starting worker's recovery scan reads only those. The set
 * changes in the same MULTI / script as the document, so a crash between the two cannot hide a
 * job from recovery.
 *
 * Lists with filters read the list indexes: per tenant and for all tenants, one sorted set by
 * creation time per value of state, name, tag, owner and experiment (domain/job-list), kept by
 * the same writes. Jobs stored before these indexes existed are added once, at startup, by one
 * process (`fillListIndexes`); until that is done lists with filters read every job instead.
 */
@Injectable()
export class JobsRepository extends DocumentStore<JobRecord> implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobsRepository.name);
  private readonly activeKey: string;
  private listIndexesReady = false;
  private filling?: Promise<void>;
  private readonly listed = new Map<string, ListedJob>();
  /** Sizes of filter combinations, kept in Redis while no job enters or leaves an index. */
  private readonly keptCounts: KeptCounts;

  constructor(@Inject(REDIS) private readonly client: Redis, private readonly redisKeys: RedisKeys) {
    super(
      client,
      redisKeys,
      'job',
      [{ key: redisKeys.activeJobs, has: needsWork }],
      [
        // Every write of a job, in order, for its live stream (GET /jobs/{id}/stream) …
        {
          key: (j) => redisKeys.jobStream(j.resource.id),
          entry: (j) => JSON.stringify(jobSnapshot(j)),
          maxLen: JOB_STREAM_LENGTH,
          perDocument: true,
          expireAfterMs: (j) => (isTerminalJobState(j.status.state) ? FINISHED_STREAM_KEPT_MS : undefined),
        },
        // … and one line per write for the all-jobs stream (list views).
        { key: () => redisKeys.jobChanges, entry: (j) => JSON.stringify(jobChangeEntry(j)), maxLen: CHANGES_STREAM_LENGTH, perDocument: false },
      ],
      (j) => listIndexKeys(redisKeys, j),
    );
    this.activeKey = redisKeys.activeJobs;
    this.keptCounts = {
      epoch: redisKeys.indexEpoch('job'),
      key: (keys, negated) => redisKeys.jobListCount(createHash('sha1').update(`${negated ? '-' : '+'}${keys.join('\n')}`).digest('hex')),
    };
  }

  onApplicationBootstrap(): void {
    // In the background: lists with filters are answered (more slowly) until it is done.
    this.listIndexed().catch((e: unknown) => this.logger.warn(`job list indexes not checked (${(e as Error).message}); the first list with filters will`));
  }

  /**
   * Whether the list indexes hold every job. The first call that finds they do not starts filling
   * them (unless another process is at it), so a fill cut short is taken up again.
   */
  async listIndexed(): Promise<boolean> {
    if (this.listIndexesReady) return true;
    if ((await this.client.get(this.redisKeys.jobListIndexVersion)) === LIST_INDEX_VERSION) return (this.listIndexesReady = true);
    this.filling ??= this.fillListIndexes()
      .catch((e: unknown) => this.logger.warn(`job list indexes not filled (${(e as Error).message}); lists with filters read every job until they are`))
      .finally(() => (this.filling = undefined));
    return false;
  }

  /**
   * Adds every stored job to its list indexes, a chunk at a time (each job in one step that only
   * happens if the job did not change since it was read; if it did, it is read again), then
   * records the layout version. One process at a time (a lock that expires if it dies).
   */
  async fillListIndexes(): Promise<void> {
    const token = randomUUID();
    const lock = this.redisKeys.jobListIndexFill;
    if ((await this.client.set(lock, token, 'PX', FILL_LOCK_MS, 'NX')) !== 'OK') return;
    const started = Date.now();
    try {
      const ids = await this.client.zrange(this.redisKeys.index('job'), '0', '-1');
      for (let i = 0; i < ids.length; i += FILL_CHUNK) {
        const chunk = ids.slice(i, i + FILL_CHUNK);
        const raws = await this.client.mget(chunk.map((id) => this.redisKeys.doc('job', id)));
        await Promise.all(chunk.map(async (id, j) => (await this.reindexFrom(id, raws[j])) || (await this.reindex(id))));
        await this.client.pexpire(lock, FILL_LOCK_MS);
      }
      await this.client.set(this.redisKeys.jobListIndexVersion, LIST_INDEX_VERSION);
      this.listIndexesReady = true;
      if (ids.length) this.logger.log(`job list indexes filled with ${ids.length} stored jobs in ${Date.now() - started} ms`);
    } finally {
      await this.client.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, lock, token);
    }
  }

  /** One page of the jobs in a set (domain/job-list) among a tenant's jobs or all, newest first, with their number. */
  async listPage(tenant: string | undefined, set: SetExpr<JobListLeaf>, offset: number, limit: number): Promise<SortedSetPage> {
    return sortedSetPage(this.client, mapLeaves(set, (leaf) => this.leafKey(tenant, leaf)), offset, limit, () => this.redisKeys.jobListTemp(randomUUID()), { keptCounts: this.keptCounts });
  }

  /**
   * Index repair after a page held jobs that are not what the set says (a writer that did not
   * know the indexes, e.g. an older version during an upgrade, or a job deleted meanwhile): each
   * job leaves the set's list indexes it does not belong to, in the tenant's and in all, and
   * enters its own. A job that no longer exists also leaves the creation indexes it was listed
   * from (which every version keeps in step, so only a deletion outside the service gets there).
   */
  async repairListIndexes(tenant: string | undefined, set: SetExpr<JobListLeaf>, ids: string[]): Promise<void> {
    const terms = leavesOf(set).filter((leaf) => leaf !== ALL_JOBS);
    const stale = [...new Set([undefined, tenant].flatMap((t) => terms.map((leaf) => this.leafKey(t, leaf))))];
    const creation = [...new Set([this.leafKey(undefined, ALL_JOBS), this.leafKey(tenant, ALL_JOBS)])];
    for (const id of ids) await this.reindex(id, stale, creation);
  }

  private leafKey(tenant: string | undefined, leaf: JobListLeaf): string {
    if (leaf === ALL_JOBS) return tenant ? this.redisKeys.tenantIndex('job', tenant) : this.redisKeys.index('job');
    return this.redisKeys.jobListIndex(tenant, leaf.field, leaf.value);
  }

  /**
   * Jobs as lists use them, in the order of `ids` (undefined for one that is gone). Each is read
   * from Redis every time; only the parsing of a version seen before is saved.
   */
  async getListed(ids: string[]): Promise<(ListedJob | undefined)[]> {
    return (await this.getRaws(ids)).map((raw, i) => (raw ? this.listedOf(ids[i], raw) : undefined));
  }

  private listedOf(id: string, raw: string): ListedJob {
    const kept = this.listed.get(id);
    const entry: ListedJob = kept?.raw === raw ? kept : { id, raw, values: jobListValues(JSON.parse(raw) as JobRecord) };
    this.listed.delete(id);
    this.listed.set(id, entry);
    // Map order is insertion order: the first key is the least recently listed.
    if (this.listed.size > LISTED_KEPT) this.listed.delete(this.listed.keys().next().value!);
    return entry;
  }

  /** Jobs that may still need work (a superset: callers check each document). */
  async activeIds(): Promise<string[]> {
    return this.client.smembers(this.activeKey);
  }

  async forget(id: string): Promise<void> {
    await this.client.srem(this.activeKey, id);
  }
}

/** The list indexes a job is in: one per value of each list field, among all jobs and its tenant's. */
function listIndexKeys(keys: RedisKeys, job: JobRecord): string[] {
  const terms = jobListTerms(job);
  const scopes = job.resource.tenant ? [undefined, job.resource.tenant] : [undefined];
  return scopes.flatMap((t) => terms.map((term) => keys.jobListIndex(t, term.field, term.value)));
}
