import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { environmentStates, WORKER_ENVIRONMENTS_STALE_MS, WorkerEnvironments } from '../core/runtime/backend-environments';
import { EnvironmentLookup, ProviderAvailability, providerAvailability } from '../domain/provider-availability';
import { ProviderRecord } from '../domain/types';

/** Answers kept this long: listing providers must not read Redis once per provider. */
const CACHE_MS = 2000;

/**
 * Which providers this deployment can run. Workers publish the backend environments they have;
 * an environment counts as present when any live worker has it. With no live worker (not started
 * yet, or the all-in-one starting up) the API looks at its own machine, which is the worker's
 * machine in the local setups where that happens.
 */
@Injectable()
export class ProviderAvailabilityService {
  private cached?: { at: number; lookup: EnvironmentLookup };

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async of(provider: ProviderRecord): Promise<ProviderAvailability> {
    return providerAvailability(provider, this.cfg.runtime, await this.environments());
  }

  async withAvailability(provider: ProviderRecord): Promise<ProviderRecord & { availability: ProviderAvailability }> {
    return { ...provider, availability: await this.of(provider) };
  }

  private async environments(): Promise<EnvironmentLookup> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.lookup;
    const raw = await this.redis.hgetall(this.keys.workerEnvironments).catch(() => ({}) as Record<string, string>);
    const live = Object.values(raw)
      .map((v) => {
        try {
          return JSON.parse(v) as WorkerEnvironments;
        } catch {
          return undefined;
        }
      })
      .filter((w): w is WorkerEnvironments => !!w && Date.now() - w.at < WORKER_ENVIRONMENTS_STALE_MS);
    let lookup: EnvironmentLookup;
    if (live.length) {
      lookup = (env) => {
        if (live.some((w) => w.environments[env]?.ready)) return { ready: true };
        const reason = live.map((w) => w.environments[env]?.reason).find((r) => r) ?? `no worker has the ${env} environment`;
        return { ready: false, reason: live.length > 1 ? `${reason} (on all ${live.length} workers)` : reason };
      };
    } else {
      const local = environmentStates(this.cfg);
      lookup = (env) => local[env] ?? { ready: false, reason: `no environment is known for '${env}'` };
    }
    this.cached = { at: Date.now(), lookup };
    return lookup;
  }
}
