import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CatalogService } from '../common/catalog.service';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { RequestContext } from '../core/http/request-context';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { matchesFilter, parseFilter } from '../domain/filters';
import { COLLECTION_PATCH_RULES } from '../domain/json-patch';
import { CollectionRecord, Resource } from '../domain/types';
import { ProvidersService } from '../providers/providers.service';
import { CollectionConfigDto } from './dto/collection.dto';

type Query = Record<string, string | string[] | undefined>;

/** Collections: the catalog rules (CatalogService), with each benchmark's url filled from its provider. */
@Injectable()
export class CollectionsService extends CatalogService<CollectionRecord> {
  constructor(
    @Inject(REDIS) redis: Redis,
    keys: RedisKeys,
    @Inject(APP_CONFIG) cfg: AppConfig,
    private readonly providers: ProvidersService,
  ) {
    super(redis, keys, cfg, {
      kind: 'collection',
      dto: CollectionConfigDto,
      patchRules: COLLECTION_PATCH_RULES,
      readOnlyCode: 'read_only_collection',
      listParams: ['limit', 'offset', 'name', 'category', 'tags', 'owner', 'scope'],
      fromYaml: ({ id, ...rest }) => ({ ...(rest as unknown as Omit<CollectionRecord, 'resource'>), resource: { id: id as string } }),
    });
  }

  /** Fills each benchmark's url from its provider's benchmark (§2.8), and its weight (1 when unset). */
  protected async build(config: Record<string, unknown>, resource: Resource, caller: RequestContext): Promise<CollectionRecord> {
    const doc = { ...(config as unknown as Omit<CollectionRecord, 'resource'>), resource };
    const providers = await this.providers.lookup([...new Set(doc.benchmarks.map((b) => b.provider_id))], caller);
    doc.benchmarks = doc.benchmarks.map((b) => {
      const url = providers.get(b.provider_id)?.benchmarks.find((pb) => pb.id === b.id)?.url;
      return { ...b, weight: b.weight ?? 1, ...(url ? { url } : {}) };
    });
    return doc;
  }

  protected listFilter(query: Query): (c: CollectionRecord) => boolean {
    const name = parseFilter(query.name);
    const category = parseFilter(query.category);
    const tags = parseFilter(query.tags);
    const owner = parseFilter(query.owner);
    return (c) => matchesFilter(name, c.name) && matchesFilter(category, c.category) && matchesFilter(tags, c.tags) && matchesFilter(owner, c.resource.owner);
  }
}
