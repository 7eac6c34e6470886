import type { Redis } from 'ioredis';
import { compareEntryIds } from '../domain/job-stream';

/** One entry of a read: [index of its stream in the read, entry id, fields]. Shared: never mutate it. */
export type StreamEntry = [number, string, string[]];

/** Most entries one XREAD returns. */
export const READ_BATCH = 200;
/**
 * Most entries that may wait for one watcher whose client reads slowly. Beyond that its buffer is
 * dropped and it reads on from Redis when it is ready again, so a slow client never fills the
 * API's memory (nor holds the other watchers back).
 */
export const MAX_BUFFERED = 1000;
/** How long the reader's XREAD blocks before it asks again (nothing depends on it). */
const READER_BLOCK_MS = 15000;

/** Whether entry id `id` comes after `cursor`. Either may lack its sequence, as XREAD allows (`<ms>` is `<ms>-0`). */
export function isAfter(id: string, cursor: string): boolean {
  return compareEntryIds(fullId(id), fullId(cursor)) > 0;
}

function fullId(id: string): string {
  return id.includes('-') ? id : `${id}-0`;
}

/**
 * The entries of some batches (in id order) that come after `cursor`, each once: a watcher's
 * catch-up from Redis may already have sent the first ones the reader buffered for it.
 */
export function entriesAfter(batches: StreamEntry[][], cursor: string): StreamEntry[] {
  // The usual case, one batch all new, goes out as it is: one array for every watcher.
  if (batches.length === 1 && batches[0].length > 0 && isAfter(batches[0][0][1], cursor)) return batches[0];
  const out: StreamEntry[] = [];
  for (const batch of batches) {
    for (const entry of batch) {
      if (!isAfter(entry[1], cursor)) continue;
      out.push(entry);
      cursor = entry[1];
    }
  }
  return out;
}

/**
 * What a stream's reader hands one watcher: the batches it read since the watcher last took them.
 * A watcher starts `behind` (the reader began before it), and falls behind again when it leaves
 * more than MAX_BUFFERED entries waiting; behind, it gets nothing buffered and reads from Redis
 * up to the reader's cursor instead.
 */
export class Subscriber {
  behind = true;
  failure?: Error;
  private batches: StreamEntry[][] = [];
  private buffered = 0;
  private wake?: () => void;

  deliver(batch: StreamEntry[]): void {
    if (!this.behind) {
      this.batches.push(batch);
      this.buffered += batch.length;
      if (this.buffered > MAX_BUFFERED) {
        this.behind = true;
        this.batches = [];
        this.buffered = 0;
      }
    }
    this.notify();
  }

  fail(e: Error): void {
    this.failure = e;
    this.notify();
  }

  /** The buffered entries after `cursor`; empties the buffer. */
  take(cursor: string): StreamEntry[] {
    if (this.buffered === 0) return [];
    const entries = entriesAfter(this.batches, cursor);
    this.batches = [];
    this.buffered = 0;
    return entries;
  }

  /** Resolves at the next delivery, failure or notify(), or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.notify(), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The Redis calls the fan-out makes (`redisStreamSource` makes them with ioredis). */
export interface StreamSource {
  /** Entries after `from` (at most READ_BATCH), without waiting, on the shared command connection. */
  readAfter(key: string, from: string): Promise<StreamEntry[]>;
  /** A connection of its own for one stream's reader. */
  open(): ReaderConnection;
}

export interface ReaderConnection {
  /** The id of a stream's newest entry ('0-0' when it has none). */
  newest(key: string): Promise<string>;
  /** Entries after `from` (at most READ_BATCH), waiting up to `blockMs` for the first; [] if none came. */
  readAfter(key: string, from: string, blockMs: number): Promise<StreamEntry[]>;
  close(): void;
}

type XReadReply = [string, [string, string[]][]][] | null;

function entriesOf(reply: unknown): StreamEntry[] {
  return ((reply as XReadReply)?.[0]?.[1] ?? []).map(([id, fields]): StreamEntry => [0, id, fields]);
}

export function redisStreamSource(redis: Redis): StreamSource {
  return {
    readAfter: async (key, from) => entriesOf(await redis.xread('COUNT', READ_BATCH, 'STREAMS', key, from)),
    open: () => {
      // As a watcher's own connection was: a lost Redis fails the read (its watchers' clients
      // reconnect) rather than waiting; one command at a time, so no auto-pipelining.
      const conn = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: 1, enableAutoPipelining: false });
      conn.on('error', () => undefined);
      return {
        newest: async (key) => ((await conn.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? '0-0',
        readAfter: async (key, from, blockMs) => entriesOf(await conn.xread('COUNT', READ_BATCH, 'BLOCK', blockMs, 'STREAMS', key, from)),
        close: () => conn.disconnect(),
      };
    },
  };
}

/**
 * One stream followed for all its watchers: a connection of its own blocked in XREAD from the
 * stream's newest entry on, each batch handed to every subscriber. Ends when the last one leaves,
 * or fails them all when Redis fails it.
 */
class Reader {
  readonly subscribers = new Set<Subscriber>();
  /** Every entry up to here is in Redis for a catch-up; every later one goes to the subscribers. */
  cursor = '0-0';
  /** Settles once `cursor` is known. */
  readonly ready: Promise<void>;
  private ended = false;

  constructor(
    private readonly key: string,
    private readonly conn: ReaderConnection,
    private readonly onEnd: (reader: Reader) => void,
  ) {
    this.ready = conn.newest(key).then((id) => {
      this.cursor = id;
    });
    void this.ready.then(
      () => this.follow(),
      (e: unknown) => this.end(e),
    );
  }

  leave(sub: Subscriber): void {
    this.subscribers.delete(sub);
    if (this.subscribers.size === 0) this.end();
  }

  /** Closes the connection; with an error, every subscriber fails with it. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.conn.close();
    this.onEnd(this);
    if (error === undefined) return;
    const e = error instanceof Error ? error : new Error(String(error));
    for (const sub of this.subscribers) sub.fail(e);
  }

  private async follow(): Promise<void> {
    try {
      while (!this.ended) {
        const batch = await this.conn.readAfter(this.key, this.cursor, READER_BLOCK_MS);
        if (batch.length === 0) continue;
        // Cursor and delivery move together (no await between): a watcher that notes the cursor
        // gets every later entry buffered.
        this.cursor = batch[batch.length - 1][1];
        for (const sub of this.subscribers) sub.deliver(batch);
      }
    } catch (e) {
      this.end(e);
    }
  }
}

/**
 * Live reads of single streams shared by their watchers: one Redis connection per followed stream
 * instead of one per watcher, and each entry read once for all of them.
 */
export class StreamFanout {
  private readonly readers = new Map<string, Reader>();

  constructor(private readonly source: StreamSource) {}

  /**
   * Entries of one stream after `from`, as they come (the same batches XREAD would give one
   * connection of its own). 'idle' after `idleMs` without any, and at once if there is none at
   * first. Stops when the client goes; throws when the stream's reader loses Redis.
   */
  async *follow(key: string, from: string, signal: AbortSignal, idleMs: number): AsyncGenerator<StreamEntry[] | 'idle'> {
    const reader = this.readerOf(key);
    const sub = new Subscriber();
    reader.subscribers.add(sub);
    const stop = () => sub.notify();
    signal.addEventListener('abort', stop, { once: true });
    let cursor = from;
    // Nothing at first says so at once: a reconnect after the end closes without waiting out a heartbeat.
    let idleAt = 0;
    try {
      await reader.ready;
      while (!signal.aborted) {
        if (sub.behind) {
          // From here on the reader buffers every entry after its cursor for us; the ones up to it
          // come from Redis. Entries read twice are dropped by take().
          sub.behind = false;
          const upTo = reader.cursor;
          while (!signal.aborted && isAfter(upTo, cursor)) {
            const batch = await this.source.readAfter(key, cursor);
            if (batch.length === 0) break; // trimmed away meanwhile
            cursor = batch[batch.length - 1][1];
            yield batch;
            idleAt = Date.now() + idleMs;
          }
          continue;
        }
        const batch = sub.take(cursor);
        if (batch.length > 0) {
          cursor = batch[batch.length - 1][1];
          yield batch;
          idleAt = Date.now() + idleMs;
          continue;
        }
        if (sub.failure) throw sub.failure;
        const left = idleAt - Date.now();
        if (left <= 0) {
          yield 'idle';
          idleAt = Date.now() + idleMs;
          continue;
        }
        await sub.wait(left);
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      signal.removeEventListener('abort', stop);
      reader.leave(sub);
    }
  }

  /** Ends every reader; their watchers fail, so their clients reconnect (to another replica). */
  close(): void {
    for (const reader of [...this.readers.values()]) reader.end(new Error('the stream reader was closed'));
  }

  private readerOf(key: string): Reader {
    let reader = this.readers.get(key);
    if (!reader) {
      reader = new Reader(key, this.source.open(), (r) => {
        // Only this reader: a later one for the same key may have taken its place already.
        if (this.readers.get(key) === r) this.readers.delete(key);
      });
      this.readers.set(key, reader);
    }
    return reader;
  }
}
