import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { isTerminalJobState } from '../domain/job-state';
import { compareEntryIds, JobChangeEntry, JobLogLine, jobSnapshot, JobSnapshot, streamCursors } from '../domain/job-stream';
import { JobRecord } from '../domain/types';
import { JobsRepository } from './jobs.repository';
import { READ_BATCH, redisStreamSource, StreamEntry, StreamFanout } from './stream-fanout';

/** A comment line this often keeps proxies from closing an idle stream (and notices a deleted job). */
export const HEARTBEAT_MS = 15000;
/** How long the last log lines of a finished run may take to arrive before the result closes the stream. */
const LOG_TAIL_WAIT_MS = 1500;

type XReadReply = [string, [string, string[]][]][] | null;

/**
 * Server-Sent Events from the Redis streams every job write appends to (see JobsRepository), so
 * any API replica serves any job wherever its work runs. Event ids are the stream entry ids: a
 * client that reconnects with Last-Event-ID gets every later entry exactly once.
 */
@Injectable()
export class JobStreamService implements OnModuleDestroy {
  /** One reader per followed stream, shared by all its watchers (see `read`). */
  private readonly fanout: StreamFanout;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly jobs: JobsRepository,
  ) {
    this.fanout = new StreamFanout(redisStreamSource(redis));
  }

  /** Ends the shared readers, so their streams end too (clients reconnect elsewhere) and shutdown does not wait on them. */
  onModuleDestroy(): void {
    this.fanout.close();
  }

  /**
   * One job: every snapshot after `lastId` (all of them without it), then live ones; ends after
   * the terminal snapshot. `status` events while it runs, one `result` event at the end. With
   * `withLogs`, the run units' log lines too (`log` events, in time order with the rest); the
   * event id then carries one cursor per stream, so a resume misses no line and repeats none.
   */
  async *jobEvents(job: JobRecord, lastId: string | undefined, signal: AbortSignal, withLogs = false): AsyncGenerator<string> {
    const jobId = job.resource.id;
    const units = withLogs ? (job.runs ?? []) : [];
    const keys = [this.keys.jobStream(jobId), ...units.map((u) => this.keys.logStream(jobId, u.key))];
    const cursors = streamCursors(lastId, keys.length);
    const eventId = () => (keys.length === 1 ? cursors[0] : cursors.join('_'));
    const logEvent = (k: number, entryId: string, fields: string[]) => {
      cursors[k] = entryId;
      const unit = units[k - 1];
      const line: JobLogLine = { unit: unit.key, benchmark_indexes: unit.indexes, time: new Date(Number(entryId.split('-')[0])).toISOString(), line: fields[1] ?? '' };
      return sse('log', eventId(), JSON.stringify(line));
    };
    let last: string | undefined;
    let sent = 0;
    for await (const batch of this.read(keys, [...cursors], signal)) {
      if (batch === 'idle') {
        const now = await this.jobs.get(jobId);
        if (!now) {
          yield sse('deleted', undefined, JSON.stringify({ id: jobId }));
          return;
        }
        // Finished with nothing left to send: a reconnect after the end gets nothing more; a job
        // whose stream has gone (an hour after it finished, or older than streams) its final state.
        if (isTerminalJobState(now.status.state)) {
          if (sent === 0 && (!lastId || !(await this.redis.exists(keys[0])))) yield sse('result', undefined, JSON.stringify(jobSnapshot(now)));
          return;
        }
        yield ': keep-alive\n\n';
        continue;
      }
      let final: [string, string] | undefined;
      for (const [k, entryId, fields] of batch) {
        if (k > 0) {
          yield logEvent(k, entryId, fields);
          continue;
        }
        if (final) continue;
        const data = fields[fields.indexOf('data') + 1];
        if (isTerminalJobState((JSON.parse(data) as JobSnapshot).state)) {
          // Held back until the last log lines (written as the run ends) have gone out.
          final = [entryId, data];
          continue;
        }
        cursors[0] = entryId;
        if (data === last) continue;
        last = data;
        yield sse('status', eventId(), data);
        sent++;
      }
      if (!final) continue;
      if (units.length) {
        for await (const tail of this.read(keys.slice(1), cursors.slice(1), signal, { blockMs: LOG_TAIL_WAIT_MS, waitFirst: true })) {
          if (tail === 'idle') break;
          for (const [k, entryId, fields] of tail) yield logEvent(k + 1, entryId, fields);
        }
      }
      cursors[0] = final[0];
      yield sse('result', eventId(), final[1]);
      return;
    }
  }

  /**
   * Every job change of a tenant (all tenants for an unscoped caller), from now or after `lastId`;
   * never ends. "Now" is fixed before this resolves, so a change made after the answer's headers
   * arrived is always in the stream.
   */
  async changeEvents(tenant: string | undefined, lastId: string | undefined, signal: AbortSignal): Promise<AsyncGenerator<string>> {
    lastId = lastId?.split('_')[0];
    const newest = lastId ? undefined : ((await this.redis.xrevrange(this.keys.jobChanges, '+', '-', 'COUNT', 1)) as [string, string[]][]);
    return this.changesAfter(tenant, lastId ?? newest?.[0]?.[0] ?? '0-0', signal);
  }

  private async *changesAfter(tenant: string | undefined, from: string, signal: AbortSignal): AsyncGenerator<string> {
    for await (const batch of this.read([this.keys.jobChanges], [from], signal)) {
      if (batch === 'idle') {
        yield ': keep-alive\n\n';
        continue;
      }
      for (const [, id, fields] of batch) {
        const data = fields[fields.indexOf('data') + 1];
        const change = JSON.parse(data) as JobChangeEntry;
        if (tenant !== undefined && change.tenant !== tenant) continue;
        yield sse('job', id, data);
      }
    }
  }

  /**
   * Entries of some streams after their cursors, as they come, merged in time order: [stream
   * index, entry id, fields]. 'idle' after `blockMs` without any (and at once if there is none at
   * first, unless `waitFirst`). Stops when the client goes.
   */
  private read(keys: string[], from: string[], signal: AbortSignal, opts: { blockMs?: number; waitFirst?: boolean } = {}): AsyncGenerator<StreamEntry[] | 'idle'> {
    // One stream (the job's, or all jobs' changes): its watchers share one reader, so N watchers
    // cost one connection and one read of each entry, not N. With logs, each watcher reads on its own.
    if (keys.length === 1 && !opts.waitFirst) return this.fanout.follow(keys[0], from[0], signal, opts.blockMs ?? HEARTBEAT_MS);
    return this.readOwn(keys, from, signal, opts);
  }

  /** `read` on a connection of its own (XREAD BLOCK holds it). */
  private async *readOwn(keys: string[], from: string[], signal: AbortSignal, opts: { blockMs?: number; waitFirst?: boolean }): AsyncGenerator<StreamEntry[] | 'idle'> {
    const blockMs = opts.blockMs ?? HEARTBEAT_MS;
    // One command at a time on this connection: auto-pipelining (inherited) would only add overhead.
    const conn = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: 1, enableAutoPipelining: false });
    const stop = () => conn.disconnect();
    signal.addEventListener('abort', stop, { once: true });
    const cursors = [...from];
    try {
      // The first read does not wait (unless asked to): a stream with nothing new says so at once
      // ('idle'), so a reconnect after the end closes without waiting out a heartbeat.
      let wait = opts.waitFirst ?? false;
      while (!signal.aborted) {
        const reply = (wait
          ? await conn.xread('COUNT', READ_BATCH, 'BLOCK', blockMs, 'STREAMS', ...keys, ...cursors)
          : await conn.xread('COUNT', READ_BATCH, 'STREAMS', ...keys, ...cursors)) as XReadReply;
        wait = true;
        const merged: StreamEntry[] = [];
        for (const [key, entries] of reply ?? []) {
          const k = keys.indexOf(key);
          if (k < 0 || entries.length === 0) continue;
          cursors[k] = entries[entries.length - 1][0];
          for (const [id, fields] of entries) merged.push([k, id, fields]);
        }
        if (merged.length === 0) {
          yield 'idle';
          continue;
        }
        merged.sort((a, b) => compareEntryIds(a[1], b[1]) || a[0] - b[0]);
        yield merged;
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      signal.removeEventListener('abort', stop);
      conn.disconnect();
    }
  }
}

function sse(event: string, id: string | undefined, data: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${data}\n\n`;
}
