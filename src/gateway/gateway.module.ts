import { Inject, Injectable, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { REDIS } from '../core/redis/redis.provider';
import { endpointOrigin, limitsFor } from '../domain/gateway-settings';
import * as path from 'path';
import { EndpointLimiter } from './endpoint-limiter';
import { CacheMode, ResponseCache } from './response-cache';
import { GatewayRun, ModelGateway } from './model-gateway';

/** The worker's model gateway with this deployment's limits; opens one listener per run. */
@Injectable()
export class ModelGatewayService {
  private readonly gateway: ModelGateway;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.gateway = new ModelGateway(new EndpointLimiter(redis, cfg.redisPrefix));
  }

  get enabled(): boolean {
    return this.cfg.modelGateway.enabled;
  }

  /** A listener for one run towards `modelUrl`, holding the key; undefined when the gateway is off or the URL is not http(s). */
  async open(modelUrl: string | undefined, apiKey: string | undefined, log: (line: string) => void, o: { tenant?: string; cache: CacheMode }): Promise<GatewayRun | undefined> {
    if (!this.enabled || !modelUrl || !endpointOrigin(modelUrl)) return undefined;
    const mode = this.cfg.modelGateway.cache ? o.cache : 'off';
    const store = new ResponseCache(path.join(this.cfg.dataDir, 'model-cache', (o.tenant ?? '-').replace(/[^A-Za-z0-9_.-]/g, '_')));
    return this.gateway.open({
      upstream: modelUrl,
      apiKey,
      limits: limitsFor(this.cfg.modelGateway.limits, modelUrl),
      maxRetries: this.cfg.modelGateway.maxRetries,
      log,
      ...(mode !== 'off' ? { cache: { store, mode } } : {}),
    });
  }
}

@Module({ providers: [ModelGatewayService], exports: [ModelGatewayService] })
export class GatewayModule {}
