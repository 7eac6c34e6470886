import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DocumentStore } from '../core/redis/document-store';
import { DocKind, RedisKeys } from '../core/redis/redis-keys';
import { Resource, SYSTEM_OWNER } from '../domain/types';

interface CatalogDoc {
  resource: Resource;
}

function withoutTimes<T extends CatalogDoc>(doc: T): string {
  const { resource, ...rest } = doc;
  return JSON.stringify({ ...rest, id: resource.id });
}

/**
 * Providers or collections: the system ones come from YAML at start and are read-only (kept in
 * memory, with their timestamps recorded in Redis so created_at survives restarts); tenant ones
 * live in Redis.
 */
export class CatalogStore<T extends CatalogDoc> {
  private readonly system = new Map<string, T>();
  private readonly logger = new Logger(CatalogStore.name);
  readonly tenantDocs: DocumentStore<T & { resource: { id: string } }>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly kind: DocKind,
  ) {
    this.tenantDocs = new DocumentStore(redis, keys, kind);
  }

  /** Loads the system documents; timestamps are kept from an earlier start unless content changed. */
  async loadSystem(docs: T[]): Promise<void> {
    const now = new Date().toISOString();
    const keys = docs.map((d) => this.keys.systemDoc(this.kind, d.resource.id));
    // Redis may be down at start; the API still serves the YAML catalog, only with fresh times.
    const stored = keys.length
      ? await this.redis.mget(keys).catch((e: unknown) => {
          this.logger.warn(`system ${this.kind} timestamps unreadable (${(e as Error).message}); created_at shows this start until the next start with Redis up`);
          return keys.map(() => null);
        })
      : [];
    const writes: [string, string][] = [];
    docs.forEach((doc, i) => {
      const prev = stored[i] ? (JSON.parse(stored[i]!) as T) : undefined;
      const unchanged = prev && withoutTimes(prev) === withoutTimes(doc);
      doc.resource = {
        ...doc.resource,
        owner: SYSTEM_OWNER,
        created_at: prev?.resource.created_at ?? now,
        updated_at: unchanged ? (prev!.resource.updated_at ?? now) : now,
      };
      if (!unchanged) writes.push([keys[i], JSON.stringify(doc)]);
      this.system.set(doc.resource.id, doc);
    });
    if (writes.length) {
      await this.redis
        .mset(...writes.flat())
        .catch((e: unknown) => this.logger.warn(`system ${this.kind} timestamps not recorded (${(e as Error).message}); the next start records them`));
    }
  }

  isSystem(id: string): boolean {
    return this.system.has(id);
  }

  systemDocs(): T[] {
    return [...this.system.values()];
  }

  async get(id: string): Promise<T | undefined> {
    return this.system.get(id) ?? (await this.tenantDocs.get(id));
  }

  /** Tenant documents visible to a caller: one tenant's, or every tenant's when none is given. */
  async tenantList(tenant?: string): Promise<T[]> {
    return this.tenantDocs.getMany(await this.tenantDocs.ids(tenant));
  }

  /** What a list shows: the caller's tenant documents first, then the system ones, per scope. */
  async listVisible(scope: 'system' | 'tenant' | undefined, tenant?: string): Promise<T[]> {
    const tenantDocs = scope === 'system' ? [] : await this.tenantList(tenant);
    return [...tenantDocs, ...(scope === 'tenant' ? [] : this.systemDocs())];
  }
}

/** Whether a caller (with or without X-Tenant) may see a catalog resource. */
export function visibleTo(resource: Resource, tenant: string | undefined): boolean {
  if (resource.owner === SYSTEM_OWNER) return true;
  return !tenant || resource.tenant === tenant;
}
