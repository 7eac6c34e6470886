import type { ConnectionOptions as BullConnectionOptions } from 'bullmq';
import { Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';

export const REDIS = Symbol('REDIS');

/**
 * Connection options for commands issued while serving requests: fail fast (one retry, no offline
 * queue) so that an outage turns into a quick 503 instead of requests piling up. Commands issued
 * in the same tick by concurrent requests go out in one write (auto-pipelining): one system call
 * per command was the largest single cost of a job read under load.
 */
export function commandConnectionOptions(): RedisOptions {
  return { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false, enableAutoPipelining: true };
}

/** Options BullMQ gets; blocking worker connections set maxRetriesPerRequest: null themselves. */
export function bullConnection(cfg: AppConfig): BullConnectionOptions {
  return { url: cfg.redisUrl };
}

export function createRedis(cfg: AppConfig, extra: RedisOptions = {}): Redis {
  const client = new Redis(cfg.redisUrl, { ...commandConnectionOptions(), ...extra });
  // Errors surface on the calls that fail; the event only needs a listener so it is not fatal.
  client.on('error', () => undefined);
  return client;
}
