import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, loadConfig } from './config/app-config';
import { REDIS, createRedis } from './redis/redis.provider';
import { RedisKeys } from './redis/redis-keys';

/** Config, the shared Redis connection and key names: what every other module needs. */
@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useFactory: () => loadConfig() },
    { provide: REDIS, useFactory: (cfg: AppConfig) => createRedis(cfg), inject: [APP_CONFIG] },
    { provide: RedisKeys, useFactory: (cfg: AppConfig) => new RedisKeys(cfg.redisPrefix), inject: [APP_CONFIG] },
  ],
  exports: [APP_CONFIG, REDIS, RedisKeys],
})
export class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
