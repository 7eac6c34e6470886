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
import { assertKnownParams, matchesFilter, Page, paginate, parseFilter, parsePage, parseScope } from '../domain/filters';
import { applyPatch, COLLECTION_PATCH_RULES } from '../domain/json-patch';
import { CollectionRecord, SYSTEM_OWNER } from '../domain/types';
import { ProvidersService } from '../providers/providers.service';
import { CollectionConfigDto } from './dto/collection.dto';

const LIST_PARAMS = ['limit', 'offset', 'name', 'category', 'tags', 'owner', 'scope'] as const;

@Injectable()
export class CollectionsService implements OnModuleInit {
  readonly store: CatalogStore<CollectionRecord>;

  constructor(
    @Inject(REDIS) redis: Redis,
    keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly providers: ProvidersService,
  ) {
    this.store = new CatalogStore(redis, keys, 'collection');
  }

  async onModuleInit(): Promise<void> {
    const docs = readYamlDir(path.join(this.cfg.configDir, 'collections')).map(({ doc }) => {
      const { id, ...rest } = doc;
      return { ...(rest as unknown as Omit<CollectionRecord, 'resource'>), resource: { id: id as string } } as CollectionRecord;
    });
    await this.store.loadSystem(docs);
  }

  async get(id: string, caller: RequestContext): Promise<CollectionRecord> {
    const c = await this.store.get(id);
    if (!c || !visibleTo(c.resource, caller.tenant)) throw ApiError.notFound('collection', id);
    return c;
  }

  async list(query: Record<string, string | string[] | undefined>, uri: string, caller: RequestContext): Promise<Page<CollectionRecord>> {
    assertKnownParams(query, LIST_PARAMS);
    const page = parsePage(query);
    const scope = parseScope(query);
    const name = parseFilter(query.name);
    const category = parseFilter(query.category);
    const tags = parseFilter(query.tags);
    const owner = parseFilter(query.owner);
    const all = (await this.store.listVisible(scope, caller.tenant)).filter(
      (c) =>
        matchesFilter(name, c.name) && matchesFilter(category, c.category) && matchesFilter(tags, c.tags) && matchesFilter(owner, c.resource.owner),
    );
    return paginate(all, page, uri);
  }

  async create(body: CollectionConfigDto, caller: RequestContext): Promise<CollectionRecord> {
    const now = new Date().toISOString();
    const doc = await this.enrich(
      { ...(body as unknown as Omit<CollectionRecord, 'resource'>), resource: { id: randomUUID(), tenant: caller.tenant, owner: caller.user ?? caller.tenant ?? 'local', created_at: now, updated_at: now } },
      caller,
    );
    await this.store.tenantDocs.put(doc);
    return doc;
  }

  async replace(id: string, body: CollectionConfigDto, caller: RequestContext): Promise<CollectionRecord> {
    const cur = await this.writable(id, caller);
    const doc = await this.enrich(
      { ...(body as unknown as Omit<CollectionRecord, 'resource'>), resource: { ...cur.resource, updated_at: new Date().toISOString() } },
      caller,
    );
    const res = await this.store.tenantDocs.update(id, () => doc);
    if (!res) throw ApiError.notFound('collection', id);
    return doc;
  }

  async patch(id: string, ops: unknown, caller: RequestContext): Promise<CollectionRecord> {
    // Patch, validate and enrich a version, then write it only if nobody changed the collection
    // meanwhile; otherwise start over on the newer version (enrichment is async, so it cannot run
    // inside the compare-and-set).
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await this.writable(id, caller);
      const patched = applyPatch(cur, ops, COLLECTION_PATCH_RULES);
      const { resource, ...config } = patched;
      validateBody(CollectionConfigDto, config);
      const doc = await this.enrich({ ...patched, resource: { ...resource, updated_at: new Date().toISOString() } }, caller);
      let ours = false;
      const res = await this.store.tenantDocs.update(id, (latest) => {
        ours = latest.resource.updated_at === cur.resource.updated_at;
        return ours ? doc : latest;
      });
      if (!res) throw ApiError.notFound('collection', id);
      if (ours) return doc;
    }
    throw new Error(`Could not patch collection ${id}: too many concurrent writers`);
  }

  async delete(id: string, caller: RequestContext): Promise<void> {
    const doc = await this.writable(id, caller);
    await this.store.tenantDocs.delete(doc);
  }

  /** Fills each benchmark's url from its provider's benchmark (§2.8). */
  private async enrich(doc: CollectionRecord, caller: RequestContext): Promise<CollectionRecord> {
    const providers = await this.providers.lookup([...new Set(doc.benchmarks.map((b) => b.provider_id))], caller);
    doc.benchmarks = doc.benchmarks.map((b) => {
      const url = providers.get(b.provider_id)?.benchmarks.find((pb) => pb.id === b.id)?.url;
      return { ...b, weight: b.weight ?? 1, ...(url ? { url } : {}) };
    });
    return doc;
  }

  private async writable(id: string, caller: RequestContext): Promise<CollectionRecord> {
    const doc = await this.get(id, caller);
    if (doc.resource.owner === SYSTEM_OWNER) {
      throw new ApiError('read_only_collection', `Collection '${id}' cannot be modified or deleted.`);
    }
    return doc;
  }
}
