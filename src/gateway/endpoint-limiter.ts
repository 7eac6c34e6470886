import { randomUUID } from 'crypto';
import type { Redis } from 'ioredis';
import { setTimeout as delay } from 'timers/promises';
import { EndpointLimits } from '../domain/gateway-settings';

// Limits on one model endpoint shared by every worker through Redis: a semaphore of concurrent
// requests (leases that expire, so a dead worker frees its slots) and per-minute request and
// token budgets. Without limits nothing touches Redis.

/** A lease on one request slot; past it the slot frees itself even if the holder died. */
const LEASE_MS = 10 * 60_000;

// Drops expired leases, then takes a slot if one is free.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

export interface Slot {
  release(tokens?: number): Promise<void>;
  /** Milliseconds spent waiting for the slot and the budgets. */
  waitedMs: number;
}

export class EndpointLimiter {
  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
  ) {}

  /** Waits until the endpoint's limits allow one more request; `signal` ends the wait. */
  async acquire(endpoint: string, limits: EndpointLimits, signal?: AbortSignal): Promise<Slot> {
    const started = Date.now();
    if (!this.redis || (!limits.max_concurrent && !limits.rpm && !limits.tpm)) return { release: async () => undefined, waitedMs: 0 };
    const redis = this.redis;
    const key = (kind: string) => `${this.prefix}:gw:${kind}:${endpoint}`;
    const minute = () => Math.floor(Date.now() / 60_000);
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      // Budgets first: a request over the minute's budget waits for the next minute.
      if (limits.rpm || limits.tpm) {
        const m = minute();
        const [req, tok] = await redis.mget(key(`rpm:${m}`), key(`tpm:${m}`));
        if ((limits.rpm && Number(req ?? 0) >= limits.rpm) || (limits.tpm && Number(tok ?? 0) >= limits.tpm)) {
          await delay(Math.min(1000, (m + 1) * 60_000 - Date.now() + 5), undefined, { signal }).catch(() => undefined);
          continue;
        }
      }
      const id = randomUUID();
      if (limits.max_concurrent) {
        const got = (await redis.eval(ACQUIRE, 1, key('slots'), Date.now(), LEASE_MS, limits.max_concurrent, id)) as number;
        if (!got) {
          // Busy: try again soon (short at first, so a freed slot is taken quickly).
          await delay(Math.min(50, 2 + attempt * 2) * (0.5 + Math.random()), undefined, { signal }).catch(() => undefined);
          continue;
        }
      }
      if (limits.rpm) {
        const k = key(`rpm:${minute()}`);
        await redis.multi().incr(k).pexpire(k, 120_000).exec();
      }
      return {
        waitedMs: Date.now() - started,
        release: async (tokens?: number) => {
          const m = redis.multi();
          if (limits.max_concurrent) m.zrem(key('slots'), id);
          if (limits.tpm && tokens) m.incrby(key(`tpm:${minute()}`), tokens).pexpire(key(`tpm:${minute()}`), 120_000);
          await m.exec();
        },
      };
    }
  }
}
