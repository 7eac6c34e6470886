import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { EnvironmentState, environmentStates, WORKER_ENVIRONMENTS_REFRESH_MS, WorkerEnvironments } from '../core/runtime/backend-environments';

/**
 * Tells the API which backends this worker can run (so a job for a backend no worker has is
 * refused at submit, not failed later), and says once at start which environments are missing.
 */
@Injectable()
export class WorkerEnvironmentsPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerEnvironmentsPublisher.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const states = await this.publish().catch((e) => {
      this.logger.warn(`could not publish backend environments: ${(e as Error).message}`);
      return environmentStates(this.cfg);
    });
    for (const [env, s] of Object.entries(states)) if (!s.ready) this.logger.warn(`${env} backend unavailable: ${s.reason}`);
    this.timer = setInterval(() => void this.publish().catch(() => undefined), WORKER_ENVIRONMENTS_REFRESH_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.hdel(this.keys.workerEnvironments, this.cfg.hostname).catch(() => undefined);
  }

  /** Re-checked at every refresh: a setup run while the worker is up is picked up. */
  private async publish(): Promise<Record<string, EnvironmentState>> {
    const states = environmentStates(this.cfg);
    const environments: WorkerEnvironments['environments'] = {};
    for (const [env, s] of Object.entries(states)) environments[env] = s.ready ? { ready: true } : { ready: false, reason: s.reason };
    const entry: WorkerEnvironments = { hostname: this.cfg.hostname, at: Date.now(), environments };
    await this.redis.hset(this.keys.workerEnvironments, this.cfg.hostname, JSON.stringify(entry));
    return states;
  }
}
