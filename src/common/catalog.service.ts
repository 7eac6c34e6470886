import { OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Redis } from 'ioredis';
import * as path from 'path';
import { AppConfig } from '../core/config/app-config';
import { readYamlDir } from '../core/config/yaml-dir';
import { ApiError, MessageCode } from '../core/errors/api-error';
import { RequestContext } from '../core/http/request-context';
import { validateBody } from '../core/http/validation';
import { RedisKeys } from '../core/redis/redis-keys';
import { assertKnownParams, Page, paginate, parsePage, parseScope } from '../domain/filters';
import { applyPatch, PatchRule } from '../domain/json-patch';
import { Resource, SYSTEM_OWNER } from '../domain/types';
import { CatalogStore, visibleTo } from './catalog-store';

type Query = Record<string, string | string[] | undefined>;

/** What differs between the catalogs (providers, collections); the rest is CatalogService. */
export interface CatalogKind<T> {
  /** 'provider' or 'collection': the Redis key kind, the YAML folder (plural) and the word in messages. */
  kind: 'provider' | 'collection';
  /** The request body class, for validating a patched document as a PUT body would be. */
  dto: new () => object;
  patchRules: PatchRule[];
  readOnlyCode: MessageCode;
  /** The list route's query parameters, in the order the refusal of an unknown one names them. */
  listParams: readonly string[];
  /** A system document from its YAML. */
  fromYaml(doc: Record<string, unknown>): T;
}

/** How often a write starts over because someone else changed the document meanwhile. */
const WRITE_ATTEMPTS = 5;

/**
 * The rules every catalog shares: system documents from YAML (read-only), tenant documents in
 * Redis, visibility by tenant, list with pagination, and writes (create, PUT, PATCH, DELETE) on
 * tenant documents only. A write builds the new document outside the compare-and-set (building
 * may be async: a collection looks up its providers) and stores it only if the document is still
 * the one it started from; otherwise it starts over on the newer one.
 */
export abstract class CatalogService<T extends { resource: Resource }> implements OnModuleInit {
  readonly store: CatalogStore<T>;

  protected constructor(
    redis: Redis,
    keys: RedisKeys,
    protected readonly cfg: AppConfig,
    private readonly spec: CatalogKind<T>,
  ) {
    this.store = new CatalogStore(redis, keys, spec.kind);
  }

  /** Checks a config beyond its DTO (throws ApiError); the default accepts it. */
  protected check(_config: Record<string, unknown>, _caller: RequestContext): void {}

  /** The stored document for a valid config and its resource block. */
  protected abstract build(config: Record<string, unknown>, resource: Resource, caller: RequestContext): T | Promise<T>;

  /** A filter of documents from the list query (parameters already checked). */
  protected abstract listFilter(query: Query): (doc: T) => boolean;

  /** What the list shows of each document; the default shows it whole. */
  protected present(items: T[], _query: Query): T[] {
    return items;
  }

  async onModuleInit(): Promise<void> {
    const docs = readYamlDir(path.join(this.cfg.configDir, `${this.spec.kind}s`)).map(({ doc }) => this.spec.fromYaml(doc));
    await this.store.loadSystem(docs);
  }

  async get(id: string, caller: RequestContext): Promise<T> {
    const doc = await this.store.get(id);
    if (!doc || !visibleTo(doc.resource, caller.tenant)) throw ApiError.notFound(this.spec.kind, id);
    return doc;
  }

  /** Documents by id as the caller sees them; invisible and unknown ones are left out. */
  async lookup(ids: string[], caller: RequestContext): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    for (const id of ids) {
      const doc = await this.store.get(id);
      if (doc && visibleTo(doc.resource, caller.tenant)) out.set(id, doc);
    }
    return out;
  }

  async list(query: Query, uri: string, caller: RequestContext): Promise<Page<T>> {
    assertKnownParams(query, this.spec.listParams);
    const page = parsePage(query);
    const keep = this.listFilter(query);
    const all = (await this.store.listVisible(parseScope(query), caller.tenant)).filter(keep);
    const result = paginate(all, page, uri);
    result.items = this.present(result.items, query);
    return result;
  }

  async create(body: object, caller: RequestContext): Promise<T> {
    const config = body as Record<string, unknown>;
    this.check(config, caller);
    const now = new Date().toISOString();
    const doc = await this.build(config, { id: randomUUID(), tenant: caller.tenant, owner: caller.user ?? caller.tenant ?? 'local', created_at: now, updated_at: now }, caller);
    await this.store.tenantDocs.put(doc);
    return doc;
  }

  replace(id: string, body: object, caller: RequestContext): Promise<T> {
    return this.rewrite(id, caller, () => body as Record<string, unknown>);
  }

  /** A JSON Patch; the patched document must still be a valid body, exactly as a PUT would be. */
  patch(id: string, ops: unknown, caller: RequestContext): Promise<T> {
    return this.rewrite(id, caller, (cur) => {
      const { resource: _resource, ...config } = applyPatch(cur, ops, this.spec.patchRules);
      validateBody(this.spec.dto, config);
      return config;
    });
  }

  async delete(id: string, caller: RequestContext): Promise<void> {
    const doc = await this.writable(id, caller);
    await this.store.tenantDocs.delete(doc);
  }

  private async rewrite(id: string, caller: RequestContext, next: (cur: T) => Record<string, unknown>): Promise<T> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const cur = await this.writable(id, caller);
      const config = next(cur);
      this.check(config, caller);
      const doc = await this.build(config, { ...cur.resource, updated_at: new Date().toISOString() }, caller);
      const seen = JSON.stringify(cur);
      let ours = false;
      const res = await this.store.tenantDocs.update(id, (latest) => {
        ours = JSON.stringify(latest) === seen;
        return ours ? doc : latest;
      });
      if (!res) throw ApiError.notFound(this.spec.kind, id);
      if (ours) return doc;
    }
    throw new ApiError('concurrent_update', `The ${this.spec.kind} '${id}' kept changing while this write was prepared (${WRITE_ATTEMPTS} attempts); send it again.`);
  }

  private async writable(id: string, caller: RequestContext): Promise<T> {
    const doc = await this.get(id, caller);
    if (doc.resource.owner === SYSTEM_OWNER) {
      const word = this.spec.kind === 'provider' ? 'Provider' : 'Collection';
      throw new ApiError(this.spec.readOnlyCode, `${word} '${id}' cannot be modified or deleted.`);
    }
    return doc;
  }
}
