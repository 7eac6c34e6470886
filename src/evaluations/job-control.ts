import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { REDIS, createRedis } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';

export type ControlMessage = { type: 'cancel'; jobId: string } | { type: 'benchmark-finished'; jobId: string; index: number };

/**
 * Broadcast from API pods to every worker (Redis pub/sub): "stop whatever you run for job X".
 * The job's state in the store is already final when this is sent; the message only makes the
 * processes go away quickly.
 */
@Injectable()
export class JobControl implements OnModuleDestroy {
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async publishCancel(jobId: string): Promise<void> {
    await this.redis.publish(this.keys.controlChannel, JSON.stringify({ type: 'cancel', jobId } satisfies ControlMessage));
  }

  /** A benchmark reached a terminal state through /events: the worker running it may stop its process. */
  async publishBenchmarkFinished(jobId: string, index: number): Promise<void> {
    await this.redis.publish(this.keys.controlChannel, JSON.stringify({ type: 'benchmark-finished', jobId, index } satisfies ControlMessage));
  }

  async subscribe(handler: (msg: ControlMessage) => void): Promise<void> {
    // A subscribed connection can do nothing else, and it must reconnect on its own after a blip.
    this.subscriber = createRedis(this.cfg, { maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.subscriber.on('message', (_channel: string, raw: string) => {
      try {
        handler(JSON.parse(raw) as ControlMessage);
      } catch {
        /* ignore malformed messages */
      }
    });
    await this.subscriber.subscribe(this.keys.controlChannel);
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
