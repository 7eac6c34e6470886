import type { Redis } from 'ioredis';
import { DocKind, RedisKeys } from './redis-keys';

// Compare-and-set in one round trip: the write only happens if nobody changed the document since
// it was read. Safe on a shared connection, unlike WATCH/MULTI.
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

const MGET_CHUNK = 500;
const MAX_CAS_ATTEMPTS = 50;

export interface StoredDoc {
  resource: { id: string; tenant?: string; created_at?: string };
}

/**
 * JSON documents in Redis with creation-ordered indexes (global and per tenant). The system of
 * record for jobs, providers and collections.
 */
export class DocumentStore<T extends StoredDoc> {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly kind: DocKind,
  ) {
    if (!('evalhubCas' in this.redis)) this.redis.defineCommand('evalhubCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
  }

  private score(doc: T): number {
    const t = doc.resource.created_at ? Date.parse(doc.resource.created_at) : Date.now();
    return Number.isFinite(t) ? t : Date.now();
  }

  async put(doc: T): Promise<void> {
    const m = this.redis.multi().set(this.keys.doc(this.kind, doc.resource.id), JSON.stringify(doc));
    m.zadd(this.keys.index(this.kind), this.score(doc), doc.resource.id);
    if (doc.resource.tenant) m.zadd(this.keys.tenantIndex(this.kind, doc.resource.tenant), this.score(doc), doc.resource.id);
    await m.exec();
  }

  async get(id: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.keys.doc(this.kind, id));
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  async delete(doc: T): Promise<boolean> {
    const m = this.redis.multi().del(this.keys.doc(this.kind, doc.resource.id)).zrem(this.keys.index(this.kind), doc.resource.id);
    if (doc.resource.tenant) m.zrem(this.keys.tenantIndex(this.kind, doc.resource.tenant), doc.resource.id);
    const res = await m.exec();
    return Number(res?.[0]?.[1] ?? 0) > 0;
  }

  /**
   * Read-modify-write that never loses a concurrent update: `fn` is re-run on the fresh document
   * until the compare-and-set succeeds. `fn` may throw to abort. When nothing changed (the same
   * object, or an equal document), nothing is written and `after` is `before` itself, so callers
   * can tell a no-op by identity. Resolves to undefined when the document does not exist.
   */
  async update(id: string, fn: (doc: T) => T): Promise<{ before: T; after: T } | undefined> {
    const key = this.keys.doc(this.kind, id);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const raw = await this.redis.get(key);
      if (!raw) return undefined;
      const before = JSON.parse(raw) as T;
      // fn gets its own copy: it may change it in place, and `before` must stay as stored.
      const after = fn(JSON.parse(raw) as T);
      const nextRaw = JSON.stringify(after);
      if (nextRaw === raw) return { before, after: before };
      const ok = await (this.redis as unknown as { evalhubCas(k: string, a: string, b: string): Promise<number> }).evalhubCas(key, raw, nextRaw);
      if (ok === 1) return { before, after };
    }
    throw new Error(`Could not update ${this.kind} ${id}: too many concurrent writers`);
  }

  /** Ids newest first, from the tenant's index or the global one. */
  async ids(tenant?: string): Promise<string[]> {
    const key = tenant ? this.keys.tenantIndex(this.kind, tenant) : this.keys.index(this.kind);
    return this.redis.zrevrange(key, 0, -1);
  }

  async count(tenant?: string): Promise<number> {
    const key = tenant ? this.keys.tenantIndex(this.kind, tenant) : this.keys.index(this.kind);
    return this.redis.zcard(key);
  }

  async idsPage(tenant: string | undefined, offset: number, limit: number): Promise<string[]> {
    const key = tenant ? this.keys.tenantIndex(this.kind, tenant) : this.keys.index(this.kind);
    return this.redis.zrevrange(key, offset, limit === 0 ? -1 : offset + limit - 1);
  }

  async getMany(ids: string[]): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < ids.length; i += MGET_CHUNK) {
      const chunk = ids.slice(i, i + MGET_CHUNK);
      if (chunk.length === 0) continue;
      const raws = await this.redis.mget(chunk.map((id) => this.keys.doc(this.kind, id)));
      for (const raw of raws) if (raw) out.push(JSON.parse(raw) as T);
    }
    return out;
  }
}
