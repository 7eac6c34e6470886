import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Redis } from 'ioredis';
import * as path from 'path';
import { CatalogStore, visibleTo } from '../common/catalog-store';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { readYamlDir } from '../core/config/yaml-dir';
import { ApiError } from '../core/errors/api-error';
import { RequestContext } from '../core/http/request-context';
import { validateBody } from '../core/http/validation';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { assertKnownParams, matchesFilter, once, Page, paginate, parseBool, parseFilter, parsePage, parseScope } from '../domain/filters';
import { applyPatch, PROVIDER_PATCH_RULES } from '../domain/json-patch';
import { localRuntimeRefusal } from '../domain/local-runtime-policy';
import { isNativeBackend, NATIVE_BACKENDS } from '../domain/native-backends';
import { ProviderRecord, SYSTEM_OWNER } from '../domain/types';
import { ProviderConfigDto } from './dto/provider.dto';
import { normalizeProvider } from './provider-shape';

const LIST_PARAMS = ['limit', 'offset', 'benchmarks', 'name', 'tags', 'owner', 'scope'] as const;

@Injectable()
export class ProvidersService implements OnModuleInit {
  readonly store: CatalogStore<ProviderRecord>;

  constructor(
    @Inject(REDIS) redis: Redis,
    keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {
    this.store = new CatalogStore(redis, keys, 'provider');
  }

  async onModuleInit(): Promise<void> {
    const docs = readYamlDir(path.join(this.cfg.configDir, 'providers')).map(({ doc }) =>
      normalizeProvider({ ...doc, resource: { id: doc.id as string } } as unknown as Record<string, unknown>),
    );
    await this.store.loadSystem(docs);
  }

  async get(id: string, caller: RequestContext): Promise<ProviderRecord> {
    const p = await this.store.get(id);
    if (!p || !visibleTo(p.resource, caller.tenant)) throw ApiError.notFound('provider', id);
    return p;
  }

  /** Providers by id as a job sees them (for expansion); invisible ones are left out. */
  async lookup(ids: string[], caller: RequestContext): Promise<Map<string, ProviderRecord>> {
    const out = new Map<string, ProviderRecord>();
    for (const id of ids) {
      const p = await this.store.get(id);
      if (p && visibleTo(p.resource, caller.tenant)) out.set(id, p);
    }
    return out;
  }

  async list(query: Record<string, string | string[] | undefined>, uri: string, caller: RequestContext): Promise<Page<ProviderRecord>> {
    assertKnownParams(query, LIST_PARAMS);
    const page = parsePage(query);
    const withBenchmarks = parseBool('benchmarks', once('benchmarks', query.benchmarks), true);
    const scope = parseScope(query);
    const name = parseFilter(query.name);
    const tags = parseFilter(query.tags);
    const owner = parseFilter(query.owner);
    const all = (await this.store.listVisible(scope, caller.tenant)).filter(
      (p) => matchesFilter(name, p.name) && matchesFilter(tags, p.tags) && matchesFilter(owner, p.resource.owner),
    );
    const result = paginate(all, page, uri);
    if (!withBenchmarks) result.items = result.items.map((p) => ({ ...p, benchmarks: [] }));
    return result;
  }

  async create(body: ProviderConfigDto, caller: RequestContext): Promise<ProviderRecord> {
    this.checkRuntime(body, caller);
    const now = new Date().toISOString();
    const doc = normalizeProvider({
      ...(body as unknown as Record<string, unknown>),
      resource: { id: randomUUID(), tenant: caller.tenant, owner: caller.user ?? caller.tenant ?? 'local', created_at: now, updated_at: now },
    });
    await this.store.tenantDocs.put(doc);
    return doc;
  }

  async replace(id: string, body: ProviderConfigDto, caller: RequestContext): Promise<ProviderRecord> {
    await this.writable(id, caller);
    this.checkRuntime(body, caller);
    const res = await this.store.tenantDocs.update(id, (cur) =>
      normalizeProvider({ ...(body as unknown as Record<string, unknown>), resource: { ...cur.resource, updated_at: new Date().toISOString() } }),
    );
    if (!res) throw ApiError.notFound('provider', id);
    return res.after;
  }

  async patch(id: string, ops: unknown, caller: RequestContext): Promise<ProviderRecord> {
    await this.writable(id, caller);
    const res = await this.store.tenantDocs.update(id, (cur) => {
      const patched = applyPatch(cur, ops, PROVIDER_PATCH_RULES);
      // The patched document must still be a valid provider, exactly as a PUT body would be.
      const { resource, ...config } = patched;
      validateBody(ProviderConfigDto, config);
      this.checkRuntime(config, caller);
      return normalizeProvider({ ...(patched as unknown as Record<string, unknown>), resource: { ...resource, updated_at: new Date().toISOString() } });
    });
    if (!res) throw ApiError.notFound('provider', id);
    return res.after;
  }

  async delete(id: string, caller: RequestContext): Promise<void> {
    const doc = await this.writable(id, caller);
    await this.store.tenantDocs.delete(doc);
  }

  /** Where the service is shared, a tenant's provider may not run code of its own on the worker. */
  private checkRuntime(config: { runtime?: { local?: { executor?: unknown; command?: unknown; env?: unknown; include_path?: unknown } } }, caller: RequestContext): void {
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

  private async writable(id: string, caller: RequestContext): Promise<ProviderRecord> {
    const doc = await this.get(id, caller);
    if (doc.resource.owner === SYSTEM_OWNER) {
      throw new ApiError('read_only_provider', `Provider '${id}' cannot be modified or deleted.`);
    }
    return doc;
  }
}
