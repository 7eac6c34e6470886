/** Every Redis key the service writes, in one place. Keys use ':'; BullMQ names never do. */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  /** A document. Ids live under their own `doc:` segment, so no id can name an index key. */
  doc(kind: DocKind, id: string): string {
    return `${this.prefix}:${kind}:doc:${id}`;
  }
  /**
   * A document's content hash (DocumentStore.contentHash of its JSON), written with it: a reader
   * that holds the document can tell it is still current without reading it again.
   */
  docHash(kind: DocKind, id: string): string {
    return `${this.prefix}:${kind}:hash:${id}`;
  }
  /** Sorted set of ids by creation time, all tenants. */
  index(kind: DocKind): string {
    return `${this.prefix}:${kind}:index`;
  }
  /** Sorted set of ids by creation time for one tenant. */
  tenantIndex(kind: DocKind, tenant: string): string {
    return `${this.prefix}:${kind}:tenant:${tenant}`;
  }
  /**
   * Sorted set by creation time of the jobs with one value of a list filter field (domain/job-list:
   * state, name, tag, owner, experiment), among one tenant's jobs or all of them. The tenant and
   * the value are escaped (':' and '%'), so no tenant or value can name another index's key.
   */
  jobListIndex(tenant: string | undefined, field: string, value: string): string {
    return `${this.prefix}:job:by:${tenant ? `t:${keyPart(tenant)}` : 'all'}:${field}:${keyPart(value)}`;
  }
  /** Layout version of the job list indexes, written once they hold every stored job. */
  get jobListIndexVersion(): string {
    return `${this.prefix}:job:by:version`;
  }
  /** Held by the one process filling the job list indexes from the stored jobs. */
  get jobListIndexFill(): string {
    return `${this.prefix}:job:by:fill`;
  }
  /**
   * A counter that moves on in the same step as any change to a kind's sorted indexes (creation
   * and list indexes): a count of an index expression taken at one value holds while it stays.
   */
  indexEpoch(kind: DocKind): string {
    return `${this.prefix}:${kind}:by:epoch`;
  }
  /** Kept size of one job list expression, valid while the job index epoch is what it was taken at. */
  jobListCount(expression: string): string {
    return `${this.prefix}:job:by:count:${expression}`;
  }
  /** A temporary sorted set of a list query, deleted in the same transaction. */
  jobListTemp(id: string): string {
    return `${this.prefix}:job:by:tmp:${id}`;
  }
  /** Set of the jobs that may still need a worker (not terminal, or MLflow not written yet). */
  get activeJobs(): string {
    return `${this.index('job')}:active`;
  }
  /** A read-only system document's recorded timestamps (the document itself comes from YAML). */
  systemDoc(kind: DocKind, id: string): string {
    return `${this.doc(kind, id)}:system`;
  }
  /** Log lines of one run unit (a Redis stream: entry ids carry the time of each line). */
  logStream(jobId: string, unitKey: string): string {
    return `${this.prefix}:logs:${jobId}:${unitKey}`;
  }
  /** Hash of compressed benchmark files waiting to be uploaded to MLflow. */
  artifacts(jobId: string): string {
    return `${this.prefix}:artifacts:${jobId}`;
  }
  /** Held while one worker writes a job to MLflow. */
  mlflowLock(jobId: string): string {
    return `${this.prefix}:lock:mlflow:${jobId}`;
  }
  /** Hash of a tenant's reusable results: benchmark fingerprint → where the result is (domain/result-reuse). */
  reuseIndex(tenant: string | undefined): string {
    return `${this.prefix}:reuse:${tenant ?? '-'}`;
  }
  /** Hash: a moving average of how long run units take (queue estimates). */
  get runStats(): string {
    return `${this.prefix}:stats:runs`;
  }
  /** Sorted set of a tenant's run units waiting for a worker (domain/scheduling's turns). */
  fairShare(group: string): string {
    return `${this.prefix}:fair:${group}`;
  }
  runLease(jobId: string, unitKey: string): string {
    return `${this.prefix}:lease:${jobId}:${unitKey}`;
  }
  /** A benchmark run's callback credential, by the SHA-256 of the token (the token is never stored). */
  callbackToken(tokenHash: string): string {
    return `${this.prefix}:callback:${tokenHash}`;
  }
  /** Hash: worker hostname → the backend environments it can run (WorkerEnvironments, JSON). */
  get workerEnvironments(): string {
    return `${this.prefix}:workers:environments`;
  }
  /** Stream of one job's status snapshots, in write order (the SSE stream reads it). */
  jobStream(jobId: string): string {
    return `${this.prefix}:jobstream:job:${jobId}`;
  }
  /** Stream of every job change, all tenants ({id, tenant, state}; the tenant-wide SSE stream). */
  get jobChanges(): string {
    return `${this.prefix}:jobstream:changes`;
  }
  get controlChannel(): string {
    return `${this.prefix}:control`;
  }
}

function keyPart(s: string): string {
  return s.replace(/%/g, '%25').replace(/:/g, '%3A');
}

export type DocKind = 'job' | 'provider' | 'collection' | 'gate';
