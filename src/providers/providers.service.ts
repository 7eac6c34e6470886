import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CatalogService } from '../common/catalog.service';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { ApiError } from '../core/errors/api-error';
import { RequestContext } from '../core/http/request-context';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { matchesFilter, once, parseBool, parseFilter } from '../domain/filters';
import { PROVIDER_PATCH_RULES } from '../domain/json-patch';
import { localRuntimeRefusal } from '../domain/local-runtime-policy';
import { isNativeBackend, NATIVE_BACKENDS } from '../domain/native-backends';
import { ProviderRecord, Resource } from '../domain/types';
import { ProviderConfigDto } from './dto/provider.dto';
import { normalizeProvider } from './provider-shape';
import { resolveNemoSettings } from '../domain/nemo-evaluator-settings';
import { resolveKfpSettings } from '../domain/kfp-settings';

type Query = Record<string, string | string[] | undefined>;

/** Providers: the catalog rules (CatalogService), plus who may run what on the worker. */
@Injectable()
export class ProvidersService extends CatalogService<ProviderRecord> {
  constructor(@Inject(REDIS) redis: Redis, keys: RedisKeys, @Inject(APP_CONFIG) cfg: AppConfig) {
    super(redis, keys, cfg, {
      kind: 'provider',
      dto: ProviderConfigDto,
      patchRules: PROVIDER_PATCH_RULES,
      readOnlyCode: 'read_only_provider',
      listParams: ['limit', 'offset', 'benchmarks', 'name', 'tags', 'owner', 'scope'],
      fromYaml: (doc) => normalizeProvider({ ...doc, resource: { id: doc.id as string } }),
    });
  }

  protected build(config: Record<string, unknown>, resource: Resource): ProviderRecord {
    return normalizeProvider({ ...config, resource });
  }

  protected listFilter(query: Query): (p: ProviderRecord) => boolean {
    const name = parseFilter(query.name);
    const tags = parseFilter(query.tags);
    const owner = parseFilter(query.owner);
    return (p) => matchesFilter(name, p.name) && matchesFilter(tags, p.tags) && matchesFilter(owner, p.resource.owner);
  }

  /** `benchmarks=false` lists providers without their (long) benchmark lists. */
  protected override present(items: ProviderRecord[], query: Query): ProviderRecord[] {
    const withBenchmarks = parseBool('benchmarks', once('benchmarks', query.benchmarks), true);
    return withBenchmarks ? items : items.map((p) => ({ ...p, benchmarks: [] }));
  }

  /** Where the service is shared, a tenant's provider may not run code of its own on the worker. */
  protected override check(config: { runtime?: { local?: { executor?: unknown; command?: unknown; env?: unknown; include_path?: unknown }; nemo_evaluator?: unknown; kubeflow_pipelines?: unknown } }, caller: RequestContext): void {
    if (config.runtime?.nemo_evaluator !== undefined) {
      // What a benchmark or the job may still give (endpoint, model_endpoint) is checked at submit.
      const { errors } = resolveNemoSettings(config.runtime.nemo_evaluator, undefined, { benchmarkId: '-', partial: true });
      if (errors.length) throw ApiError.validation(errors.join('; '));
    }
    if (config.runtime?.kubeflow_pipelines !== undefined) {
      const { errors } = resolveKfpSettings(config.runtime.kubeflow_pipelines, undefined, { partial: true });
      if (errors.length) throw ApiError.validation(errors.join('; '));
    }
    const executor = config.runtime?.local?.executor;
    if (executor !== undefined && !isNativeBackend(executor)) {
      throw ApiError.validation(`runtime.local.executor must be one of ${NATIVE_BACKENDS.join(', ')} (got '${String(executor)}')`);
    }
    const refusal = localRuntimeRefusal(config.runtime?.local, {
      shared: this.cfg.tenancyMode === 'cluster' || this.cfg.auth.mode !== 'none',
      role: caller.role,
      tenant: caller.tenant,
      tenantTasksDir: this.cfg.tenantTasksDir,
    });
    if (refusal) throw new ApiError('local_command_not_allowed', refusal);
  }
}
