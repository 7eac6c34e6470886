import type { Redis } from 'ioredis';

interface Waiter {
  resolve(value: string | null): void;
  reject(error: unknown): void;
}

interface Batch {
  keys: string[];
  waiters: Waiter[];
}

/** Keys read in one MGET at most. */
const MAX_KEYS = 500;

/**
 * GETs of single keys gathered over one turn of the event loop and sent as one MGET. ioredis's
 * auto-pipelining joins only the commands issued in one callback (it sends them on the next
 * tick), and a busy server reads each connection in a callback of its own: a key read per request
 * on a route polled over many connections otherwise costs a command, a promise and a write to
 * Redis per request, and Redis a read and a reply write each. A read waits at most until the end
 * of the turn it was asked in (setImmediate), and goes out after any command asked before it.
 */
export class KeyReadBatch {
  private pending?: Batch;

  constructor(private readonly redis: Pick<Redis, 'mget'>) {}

  get(key: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      let batch = this.pending;
      if (!batch) {
        const fresh: Batch = { keys: [], waiters: [] };
        this.pending = batch = fresh;
        setImmediate(() => this.send(fresh));
      }
      batch.keys.push(key);
      batch.waiters.push({ resolve, reject });
      if (batch.keys.length >= MAX_KEYS) this.send(batch);
    });
  }

  private send(batch: Batch): void {
    if (this.pending !== batch) return;
    this.pending = undefined;
    this.redis.mget(batch.keys).then(
      (values) => batch.waiters.forEach((w, i) => w.resolve(values[i] ?? null)),
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    );
  }
}
