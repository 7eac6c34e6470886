import type { Redis } from 'ioredis';
import { DocKind, RedisKeys } from './redis-keys';

// Compare-and-set in one round trip: the write only happens if nobody changed the document since
// it was read. Safe on a shared connection, unlike WATCH/MULTI. KEYS[2..1+n] are membership sets
// that change with the document in the same step (ARGV[4] = n; ARGV[4+i] '1' adds the id ARGV[3]
// to KEYS[1+i], '0' removes it); the KEYS after them are change streams that get one entry
// (ARGV: max length, payload) in the same step, so their order is the order of the writes.
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
local n = tonumber(ARGV[4])
for i = 1, n do
  if ARGV[4 + i] == '1' then redis.call('SADD', KEYS[1 + i], ARGV[3]) else redis.call('SREM', KEYS[1 + i], ARGV[3]) end
end
local a = 5 + n
for k = 2 + n, #KEYS do
  redis.call('XADD', KEYS[k], 'MAXLEN', '~', ARGV[a], '*', 'data', ARGV[a + 1])
  a = a + 2
end
return 1`;

const MGET_CHUNK = 500;
const MAX_CAS_ATTEMPTS = 50;

export interface StoredDoc {
  resource: { id: string; tenant?: string; created_at?: string };
}

/** A set that holds a document's id exactly when `has(doc)` is true, kept in step with every write. */
export interface Membership<T> {
  key: string;
  has(doc: T): boolean;
}

type CasRedis = { evalhubCas(numKeys: number, ...args: string[]): Promise<number> };

/** A Redis stream that gets an entry with every write of a document (e.g. a job's changes, for live views). */
export interface ChangeStream<T> {
  key(doc: T): string;
  /** The entry's `data` field; undefined writes no entry. */
  entry(doc: T): string | undefined;
  maxLen: number;
  /** A stream of this document alone: deleted with it. */
  perDocument: boolean;
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
    private readonly memberships: Membership<T>[] = [],
    private readonly streams: ChangeStream<T>[] = [],
  ) {
    // No numberOfKeys: the caller passes it, since the membership sets vary by store.
    if (!('evalhubCas' in this.redis)) this.redis.defineCommand('evalhubCas', { lua: CAS_SCRIPT });
  }

  private score(doc: T): number {
    const t = doc.resource.created_at ? Date.parse(doc.resource.created_at) : Date.now();
    return Number.isFinite(t) ? t : Date.now();
  }

  async put(doc: T): Promise<void> {
    const m = this.redis.multi().set(this.keys.doc(this.kind, doc.resource.id), JSON.stringify(doc));
    m.zadd(this.keys.index(this.kind), this.score(doc), doc.resource.id);
    if (doc.resource.tenant) m.zadd(this.keys.tenantIndex(this.kind, doc.resource.tenant), this.score(doc), doc.resource.id);
    for (const set of this.memberships) {
      if (set.has(doc)) m.sadd(set.key, doc.resource.id);
      else m.srem(set.key, doc.resource.id);
    }
    for (const st of this.streams) {
      const data = st.entry(doc);
      if (data !== undefined) m.xadd(st.key(doc), 'MAXLEN', '~', String(st.maxLen), '*', 'data', data);
    }
    await execOrThrow(m);
  }

  async get(id: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.keys.doc(this.kind, id));
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  async delete(doc: T): Promise<boolean> {
    const m = this.redis.multi().del(this.keys.doc(this.kind, doc.resource.id)).zrem(this.keys.index(this.kind), doc.resource.id);
    if (doc.resource.tenant) m.zrem(this.keys.tenantIndex(this.kind, doc.resource.tenant), doc.resource.id);
    for (const set of this.memberships) m.srem(set.key, doc.resource.id);
    for (const st of this.streams) if (st.perDocument) m.del(st.key(doc));
    const res = await execOrThrow(m);
    return Number(res[0]?.[1] ?? 0) > 0;
  }

  /**
   * Read-modify-write that never loses a concurrent update: `fn` is re-run on the fresh document
   * until the compare-and-set succeeds. `fn` may throw to abort. When nothing changed (`fn`
   * returned its argument untouched, or an equal document), nothing is written and `after` is the
   * very object `before`, so `after !== before` means "this call changed the document".
   * Resolves to undefined when the document does not exist.
   */
  async update(id: string, fn: (doc: T) => T): Promise<{ before: T; after: T } | undefined> {
    const key = this.keys.doc(this.kind, id);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const raw = await this.redis.get(key);
      if (!raw) return undefined;
      const before = JSON.parse(raw) as T;
      // fn gets its own copy: it may mutate it, and `before` must stay the stored document.
      const after = fn(JSON.parse(raw) as T);
      const nextRaw = JSON.stringify(after);
      if (nextRaw === raw) return { before, after: before };
      const sets = this.memberships.map((s) => s.key);
      const flags = this.memberships.map((s) => (s.has(after) ? '1' : '0'));
      const entries = this.streams.map((st) => ({ key: st.key(after), data: st.entry(after), maxLen: st.maxLen })).filter((e) => e.data !== undefined);
      const ok = await (this.redis as unknown as CasRedis).evalhubCas(
        1 + sets.length + entries.length,
        key,
        ...sets,
        ...entries.map((e) => e.key),
        raw,
        nextRaw,
        id,
        String(sets.length),
        ...flags,
        ...entries.flatMap((e) => [String(e.maxLen), e.data as string]),
      );
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

/** MULTI replies carry per-command errors instead of rejecting; a half-applied write must not pass silently. */
async function execOrThrow(m: ReturnType<Redis['multi']>): Promise<[Error | null, unknown][]> {
  const res = await m.exec();
  if (!res) throw new Error('Redis transaction was aborted');
  const failed = res.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
  return res;
}
