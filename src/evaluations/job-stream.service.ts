import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { isTerminalJobState } from '../domain/job-state';
import { JobChangeEntry, jobSnapshot, JobSnapshot } from '../domain/job-stream';
import { JobRecord } from '../domain/types';
import { JobsRepository } from './jobs.repository';

/** A comment line this often keeps proxies from closing an idle stream (and notices a deleted job). */
export const HEARTBEAT_MS = 15000;
const BATCH = 200;

type XReadReply = [string, [string, string[]][]][] | null;

/**
 * Server-Sent Events from the Redis streams every job write appends to (see JobsRepository), so
 * any API replica serves any job wherever its work runs. Event ids are the stream entry ids: a
 * client that reconnects with Last-Event-ID gets every later entry exactly once.
 */
@Injectable()
export class JobStreamService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly jobs: JobsRepository,
  ) {}

  /**
   * One job: every snapshot after `lastId` (all of them without it), then live ones; ends after
   * the terminal snapshot. `status` events while it runs, one `result` event at the end.
   */
  async *jobEvents(job: JobRecord, lastId: string | undefined, signal: AbortSignal): AsyncGenerator<string> {
    const key = this.keys.jobStream(job.resource.id);
    let last: string | undefined;
    let sent = 0;
    for await (const batch of this.read(key, lastId ?? '0', signal)) {
      if (batch === 'idle') {
        const now = await this.jobs.get(job.resource.id);
        if (!now) {
          yield sse('deleted', undefined, JSON.stringify({ id: job.resource.id }));
          return;
        }
        // Finished with nothing left to send (a reconnect after the end, or a job older than streams).
        if (isTerminalJobState(now.status.state)) {
          if (sent === 0 && !lastId) yield sse('result', undefined, JSON.stringify(jobSnapshot(now)));
          return;
        }
        yield ': keep-alive\n\n';
        continue;
      }
      for (const [id, data] of batch) {
        if (data === last) continue;
        last = data;
        const snap = JSON.parse(data) as JobSnapshot;
        const terminal = isTerminalJobState(snap.state);
        yield sse(terminal ? 'result' : 'status', id, data);
        sent++;
        if (terminal) return;
      }
    }
  }

  /**
   * Every job change of a tenant (all tenants for an unscoped caller), from now or after `lastId`;
   * never ends. "Now" is fixed before this resolves, so a change made after the answer's headers
   * arrived is always in the stream.
   */
  async changeEvents(tenant: string | undefined, lastId: string | undefined, signal: AbortSignal): Promise<AsyncGenerator<string>> {
    const newest = lastId ? undefined : ((await this.redis.xrevrange(this.keys.jobChanges, '+', '-', 'COUNT', 1)) as [string, string[]][]);
    return this.changesAfter(tenant, lastId ?? newest?.[0]?.[0] ?? '0-0', signal);
  }

  private async *changesAfter(tenant: string | undefined, from: string, signal: AbortSignal): AsyncGenerator<string> {
    for await (const batch of this.read(this.keys.jobChanges, from, signal)) {
      if (batch === 'idle') {
        yield ': keep-alive\n\n';
        continue;
      }
      for (const [id, data] of batch) {
        const change = JSON.parse(data) as JobChangeEntry;
        if (tenant !== undefined && change.tenant !== tenant) continue;
        yield sse('job', id, data);
      }
    }
  }

  /**
   * Entries of a stream after `from`, as they come, on a connection of its own (XREAD BLOCK holds
   * it); 'idle' after a heartbeat interval without any. Stops when the client goes.
   */
  private async *read(key: string, from: string, signal: AbortSignal): AsyncGenerator<[string, string][] | 'idle'> {
    const conn = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    const stop = () => conn.disconnect();
    signal.addEventListener('abort', stop, { once: true });
    let cursor = from;
    try {
      // The first read does not wait: a stream with nothing new says so at once ('idle'), so a
      // reconnect after the end closes without waiting out a heartbeat.
      let wait = false;
      while (!signal.aborted) {
        const reply = (wait
          ? await conn.xread('COUNT', BATCH, 'BLOCK', HEARTBEAT_MS, 'STREAMS', key, cursor)
          : await conn.xread('COUNT', BATCH, 'STREAMS', key, cursor)) as XReadReply;
        wait = true;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) {
          yield 'idle';
          continue;
        }
        cursor = entries[entries.length - 1][0];
        yield entries.map(([id, fields]) => [id, fields[fields.indexOf('data') + 1]] as [string, string]);
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
