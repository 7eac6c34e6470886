import { createHash } from 'crypto';
import type { Redis } from 'ioredis';
import { KeyReadBatch } from './key-read-batch';
import { DocKind, RedisKeys } from './redis-keys';

// Compare-and-set in one round trip: the write only happens if nobody changed the document since
// it was read. Safe on a shared connection, unlike WATCH/MULTI. KEYS[2] is the kind's index epoch
// (see indexEpoch), KEYS[3] the document's content hash (see RedisKeys.docHash). KEYS[4..3+n] are
// membership sets that change with the document in the same step (ARGV[4] = n; ARGV[4+i] '1'
// adds the id ARGV[3] to KEYS[3+i], '0' removes it); the next r KEYS are sorted indexes the id
// leaves and the a after them sorted indexes it enters with score ARGV[7+n] (ARGV[5+n] = r,
// ARGV[6+n] = a); the KEYS after them are change streams that get one entry (ARGV: max length,
// payload, then milliseconds until the stream goes: '0' it stays, '' as it was) in the same step,
// so their order is the order of the writes.
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], redis.sha1hex(ARGV[2]))
local n = tonumber(ARGV[4])
for i = 1, n do
  if ARGV[4 + i] == '1' then redis.call('SADD', KEYS[3 + i], ARGV[3]) else redis.call('SREM', KEYS[3 + i], ARGV[3]) end
end
local r = tonumber(ARGV[5 + n])
local z = tonumber(ARGV[6 + n])
for i = 1, r do redis.call('ZREM', KEYS[3 + n + i], ARGV[3]) end
for i = 1, z do redis.call('ZADD', KEYS[3 + n + r + i], ARGV[7 + n], ARGV[3]) end
if r + z > 0 then redis.call('INCR', KEYS[2]) end
local a = 8 + n
for k = 4 + n + r + z, #KEYS do
  redis.call('XADD', KEYS[k], 'MAXLEN', '~', ARGV[a], '*', 'data', ARGV[a + 1])
  if ARGV[a + 2] == '0' then redis.call('PERSIST', KEYS[k]) elseif ARGV[a + 2] ~= '' then redis.call('PEXPIRE', KEYS[k], ARGV[a + 2]) end
  a = a + 3
end
return 1`;

// Delete, if the document is still ARGV[1] ('' = absent): KEYS[3..2+z] sorted sets and the next s
// sets lose the id ARGV[2] (ARGV[3] = z, ARGV[4] = s), the remaining KEYS (its content hash and
// own streams) go;
// KEYS[2], the index epoch, moves on.
const DELETE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
local z = tonumber(ARGV[3])
local s = tonumber(ARGV[4])
for i = 3, 2 + z do redis.call('ZREM', KEYS[i], ARGV[2]) end
for i = 3 + z, 2 + z + s do redis.call('SREM', KEYS[i], ARGV[2]) end
for i = 3 + z + s, #KEYS do redis.call('DEL', KEYS[i]) end
if z > 0 then redis.call('INCR', KEYS[2]) end
return 1`;

// Index repair, if the document is still ARGV[1] ('' = absent): the id ARGV[2] leaves the first
// ARGV[4] sorted sets after KEYS[2] (the index epoch, which moves on) and enters the rest with
// score ARGV[3].
const REINDEX_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
local r = tonumber(ARGV[4])
for i = 3, 2 + r do redis.call('ZREM', KEYS[i], ARGV[2]) end
for i = 3 + r, #KEYS do redis.call('ZADD', KEYS[i], ARGV[3], ARGV[2]) end
if #KEYS > 2 then redis.call('INCR', KEYS[2]) end
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

type ScriptRedis = {
  evalhubCas(numKeys: number, ...args: string[]): Promise<number>;
  evalhubDelete(numKeys: number, ...args: string[]): Promise<number>;
  evalhubReindex(numKeys: number, ...args: string[]): Promise<number>;
};

/**
 * Sorted sets a document is in besides the creation indexes (e.g. one per value of a list filter),
 * derived from the document alone; scored by creation time like the creation indexes, and kept in
 * step with every write (put, compare-and-set, delete).
 */
export type SortedIndexes<T> = (doc: T) => string[];

/** A Redis stream that gets an entry with every write of a document (e.g. a job's changes, for live views). */
export interface ChangeStream<T> {
  key(doc: T): string;
  /** The entry's `data` field; undefined writes no entry. */
  entry(doc: T): string | undefined;
  maxLen: number;
  /** A stream of this document alone: deleted with it. */
  perDocument: boolean;
  /**
   * Milliseconds after this write when the stream goes, for a document nobody needs to follow any
   * more (undefined: it stays). A later write that returns undefined keeps the stream again.
   */
  expireAfterMs?(doc: T): number | undefined;
}

/**
 * JSON documents in Redis with creation-ordered indexes (global and per tenant). The system of
 * record for jobs, providers and collections. `put` writes a new document; changes go through
 * `update`, removal through `delete`.
 */
export class DocumentStore<T extends StoredDoc> {
  private readonly hashReads: KeyReadBatch;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly kind: DocKind,
    private readonly memberships: Membership<T>[] = [],
    private readonly streams: ChangeStream<T>[] = [],
    private readonly sortedIndexes: SortedIndexes<T> = () => [],
  ) {
    // No numberOfKeys: the caller passes it, since the sets vary by store and document.
    if (!('evalhubCas' in this.redis)) this.redis.defineCommand('evalhubCas', { lua: CAS_SCRIPT });
    if (!('evalhubDelete' in this.redis)) this.redis.defineCommand('evalhubDelete', { lua: DELETE_SCRIPT });
    if (!('evalhubReindex' in this.redis)) this.redis.defineCommand('evalhubReindex', { lua: REINDEX_SCRIPT });
    this.hashReads = new KeyReadBatch(redis);
  }

  private get scripts(): ScriptRedis {
    return this.redis as unknown as ScriptRedis;
  }

  private score(doc: T): number {
    const t = doc.resource.created_at ? Date.parse(doc.resource.created_at) : Date.now();
    return Number.isFinite(t) ? t : Date.now();
  }

  async put(doc: T): Promise<void> {
    const json = JSON.stringify(doc);
    const m = this.redis.multi().set(this.keys.doc(this.kind, doc.resource.id), json);
    m.set(this.keys.docHash(this.kind, doc.resource.id), contentHash(json));
    m.zadd(this.keys.index(this.kind), this.score(doc), doc.resource.id);
    if (doc.resource.tenant) m.zadd(this.keys.tenantIndex(this.kind, doc.resource.tenant), this.score(doc), doc.resource.id);
    for (const key of this.sortedIndexes(doc)) m.zadd(key, this.score(doc), doc.resource.id);
    m.incr(this.keys.indexEpoch(this.kind));
    for (const set of this.memberships) {
      if (set.has(doc)) m.sadd(set.key, doc.resource.id);
      else m.srem(set.key, doc.resource.id);
    }
    for (const st of this.streams) {
      const data = st.entry(doc);
      if (data === undefined) continue;
      m.xadd(st.key(doc), 'MAXLEN', '~', String(st.maxLen), '*', 'data', data);
      const ttl = streamExpiry(st, doc);
      if (ttl === '0') m.persist(st.key(doc));
      else if (ttl) m.pexpire(st.key(doc), ttl);
    }
    await execOrThrow(m);
  }

  async get(id: string): Promise<T | undefined> {
    const raw = await this.getRaw(id);
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  /** The document as stored, unparsed. */
  getRaw(id: string): Promise<string | null> {
    return this.redis.get(this.keys.doc(this.kind, id));
  }

  /**
   * The content hash its writers keep beside the document (`contentHash` of the stored JSON); null
   * when there is none (no such document, or one last written by a version that kept none). Asked
   * per read of a polled document: the hashes asked in one turn of the event loop go as one MGET.
   */
  storedHash(id: string): Promise<string | null> {
    return this.hashReads.get(this.keys.docHash(this.kind, id));
  }

  /**
   * Removes the document with everything that indexes it, as it is stored at that moment (its
   * sorted indexes follow its current content, so a change just before cannot leave one behind).
   * Resolves to whether it existed.
   */
  async delete(doc: T): Promise<boolean> {
    const key = this.keys.doc(this.kind, doc.resource.id);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const raw = await this.redis.get(key);
      const cur = raw ? (JSON.parse(raw) as T) : doc;
      const sorted = [this.keys.index(this.kind), ...(cur.resource.tenant ? [this.keys.tenantIndex(this.kind, cur.resource.tenant)] : []), ...this.sortedIndexes(cur)];
      const sets = this.memberships.map((s) => s.key);
      const own = [this.keys.docHash(this.kind, doc.resource.id), ...this.streams.filter((st) => st.perDocument).map((st) => st.key(cur))];
      const ok = await this.scripts.evalhubDelete(2 + sorted.length + sets.length + own.length, key, this.keys.indexEpoch(this.kind), ...sorted, ...sets, ...own, raw ?? '', doc.resource.id, String(sorted.length), String(sets.length));
      if (ok === 1) return raw !== null;
    }
    throw new Error(`Could not delete ${this.kind} ${doc.resource.id}: too many concurrent writers`);
  }

  /**
   * Puts a document into the sorted indexes it belongs to, and takes it out of those of `stale`
   * it does not belong to — and, when it no longer exists, out of all of them and of `ifGone`
   * (e.g. the creation indexes) — as one step that only happens if the document did not change
   * meanwhile (then its writer has kept them). For indexes filled after the fact, or repaired
   * after a writer that did not know them.
   */
  async reindex(id: string, stale: string[] = [], ifGone: string[] = []): Promise<void> {
    const key = this.keys.doc(this.kind, id);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      if (await this.reindexFrom(id, await this.redis.get(key), stale, ifGone)) return;
    }
    throw new Error(`Could not reindex ${this.kind} ${id}: too many concurrent writers`);
  }

  /** `reindex` against a document as read before (null: absent); false if it changed since. */
  protected async reindexFrom(id: string, raw: string | null, stale: string[] = [], ifGone: string[] = []): Promise<boolean> {
    const doc = raw ? (JSON.parse(raw) as T) : undefined;
    const add = doc ? this.sortedIndexes(doc) : [];
    const remove = doc ? stale.filter((k) => !add.includes(k)) : [...new Set([...stale, ...ifGone])];
    const score = doc ? this.score(doc) : 0;
    const ok = await this.scripts.evalhubReindex(2 + remove.length + add.length, this.keys.doc(this.kind, id), this.keys.indexEpoch(this.kind), ...remove, ...add, raw ?? '', id, String(score), String(remove.length));
    return ok === 1;
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
      const was = this.sortedIndexes(before);
      const is = this.sortedIndexes(after);
      const leave = was.filter((k) => !is.includes(k));
      const enter = is.filter((k) => !was.includes(k));
      const entries = this.streams.map((st) => ({ key: st.key(after), data: st.entry(after), maxLen: st.maxLen, ttl: streamExpiry(st, after) })).filter((e) => e.data !== undefined);
      const ok = await this.scripts.evalhubCas(
        3 + sets.length + leave.length + enter.length + entries.length,
        key,
        this.keys.indexEpoch(this.kind),
        this.keys.docHash(this.kind, id),
        ...sets,
        ...leave,
        ...enter,
        ...entries.map((e) => e.key),
        raw,
        nextRaw,
        id,
        String(sets.length),
        ...flags,
        String(leave.length),
        String(enter.length),
        String(this.score(after)),
        ...entries.flatMap((e) => [String(e.maxLen), e.data as string, e.ttl]),
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

  /** The stored JSON of `ids`, in that order (null where one does not exist any more), read a chunk at a time. */
  async getRaws(ids: string[]): Promise<(string | null)[]> {
    const out: (string | null)[] = [];
    for (let i = 0; i < ids.length; i += MGET_CHUNK) {
      out.push(...(await this.redis.mget(ids.slice(i, i + MGET_CHUNK).map((id) => this.keys.doc(this.kind, id)))));
    }
    return out;
  }

  async getMany(ids: string[]): Promise<T[]> {
    return (await this.getRaws(ids)).filter((raw) => raw !== null).map((raw) => JSON.parse(raw) as T);
  }
}

/** A stored document's content hash: the SHA-1 (hex) of its JSON, as Redis's `redis.sha1hex` gives it. */
export function contentHash(json: string): string {
  return createHash('sha1').update(json).digest('hex');
}

/** A stream's expiry as the compare-and-set script takes it: '' leaves it, '0' keeps the stream, else milliseconds. */
function streamExpiry<T>(st: ChangeStream<T>, doc: T): string {
  if (!st.expireAfterMs) return '';
  return String(Math.max(0, Math.ceil(st.expireAfterMs(doc) ?? 0)));
}

/** MULTI replies carry per-command errors instead of rejecting; a half-applied write must not pass silently. */
export async function execOrThrow(m: ReturnType<Redis['multi']>): Promise<[Error | null, unknown][]> {
  const res = await m.exec();
  if (!res) throw new Error('Redis transaction was aborted');
  const failed = res.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
  return res;
}
