import type { Redis } from 'ioredis';
import type { SetExpr } from '../../domain/set-expr';
import { execOrThrow } from './document-store';

/** Pages this deep of a union of disjoint sets are merged from the head of each set; deeper ones are computed in Redis. */
const MERGE_WINDOW = 2000;
/** Members of the smallest set a walk may look at before the expression is computed in Redis instead. */
const WALK_BUDGET = 10_000;

// An intersection of KEYS[1..m], minus KEYS[m+1] if ARGV[4] is '1': the size from ZINTERCARD (no
// set built), the page by walking the smallest of KEYS[1..m] newest first and keeping the members
// the others have, until offset+limit (ARGV[1], ARGV[2]) are found. {-1} once ARGV[3] members
// were looked at without that. With ARGV[5] = '2', the last two KEYS are an index epoch and where
// the size is kept with the epoch it was taken at (for ARGV[6] seconds): while the epoch stays,
// no index changed, and the kept size is the size.
const WALK_SCRIPT = `
local c = tonumber(ARGV[5])
local nk = #KEYS - c
local m = nk - tonumber(ARGV[4])
local offset = tonumber(ARGV[1])
local want = offset + tonumber(ARGV[2])
local base = KEYS[1]
local size = redis.call('ZCARD', base)
for i = 2, m do
  local n = redis.call('ZCARD', KEYS[i])
  if n < size then base = KEYS[i]; size = n end
end
local total
local epoch
if c > 0 then
  epoch = redis.call('GET', KEYS[nk + 1]) or '0'
  local kept = redis.call('GET', KEYS[nk + 2])
  if kept then
    local at, n = string.match(kept, '^(%d+):(%d+)$')
    if at == epoch then total = tonumber(n) end
  end
end
local counted = not total
if counted then
  total = size
  if m > 1 then total = redis.call('ZINTERCARD', m, unpack(KEYS, 1, m)) end
  if m < nk then total = total - redis.call('ZINTERCARD', nk, unpack(KEYS, 1, nk)) end
  -- Keeping it is optional: a Redis out of memory or read-only still answers the list.
  if c > 0 then redis.pcall('SET', KEYS[nk + 2], epoch .. ':' .. total, 'EX', tonumber(ARGV[6])) end
end
local out = {total}
-- Only a size counted just now bounds the walk: a kept one that a writer unaware of the epoch made
-- stale (an older version during an upgrade) must not cut the page short.
if counted and offset >= total then return out end
if counted and want > total then want = total end
local found = 0
local pos = 0
while found < want and pos < size do
  if pos >= tonumber(ARGV[3]) then return {-1} end
  local ids = redis.call('ZREVRANGE', base, pos, pos + 255)
  for _, id in ipairs(ids) do
    local ok = true
    for i = 1, m do
      if KEYS[i] ~= base and not redis.call('ZSCORE', KEYS[i], id) then ok = false; break end
    end
    if ok and m < nk and redis.call('ZSCORE', KEYS[nk], id) then ok = false end
    if ok then
      found = found + 1
      if found > offset then out[#out + 1] = id end
      if found >= want then break end
    end
  end
  pos = pos + 256
end
return out`;

/**
 * How long a kept intersection size lives (it is only used while its epoch holds): short, so that
 * during a rolling upgrade a count cannot lag behind the writes of processes that predate the epoch
 * for longer than this.
 */
const KEPT_COUNT_SECONDS = 60;

/**
 * Where the size of an intersection is kept between lists: `epoch` is a key that moves on in the
 * same step as any change to the sets (RedisKeys.indexEpoch), `key` names the place for one
 * expression (given its keys, the negated one last, and whether there is one).
 */
export interface KeptCounts {
  epoch: string;
  key(keys: string[], negated: boolean): string;
}

type WalkRedis = { evalhubSetWalk(numKeys: number, ...args: (string | number)[]): Promise<(number | string)[]> };

/** An intersection of sets, less at most one set: what the walk answers. */
function walkable(e: SetExpr<string>): { must: string[]; not?: string } | undefined {
  const leaves = (xs: SetExpr<string>[]) => (xs.every((x) => 'leaf' in x) ? (xs as { leaf: string }[]).map((x) => x.leaf) : undefined);
  if ('inter' in e) {
    const must = leaves(e.inter);
    return must ? { must } : undefined;
  }
  if ('diff' in e && e.minus.length === 1 && 'leaf' in e.minus[0]) {
    const must = 'leaf' in e.diff ? [e.diff.leaf] : 'inter' in e.diff ? leaves(e.diff.inter) : undefined;
    return must ? { must, not: e.minus[0].leaf } : undefined;
  }
  return undefined;
}

export interface SortedSetPage {
  /** How many members the whole expression has. */
  total: number;
  /** Members [offset, offset + limit) of it, highest score first (ties: highest member first). */
  ids: string[];
}

/**
 * One page of a set expression over sorted sets whose members have the same score wherever they
 * appear (a document's creation time), in the order ZREVRANGE gives, and the size of the whole
 * expression, in one round trip (a MULTI or a script):
 * - one sorted set: ZCARD + ZREVRANGE, O(log n + limit);
 * - a union of disjoint sets (e.g. `status=running|failed`), page within MERGE_WINDOW: the sizes
 *   add up, and the page lies in the first offset+limit members of each, merged here;
 * - an intersection, less at most one set (`status=completed&tags=gpu`, `owner=!x`): counted with
 *   ZINTERCARD (O(size of the smallest set); with `keptCounts`, once per change to the sets), the
 *   page found by walking the smallest set (a script; it gives up after WALK_BUDGET members, e.g.
 *   for a deep page of a rare combination, and so does Redis < 7);
 * - anything else (overlapping unions, several negations, deep pages of a union, given-up walks):
 *   ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE into temporary keys deleted in the same transaction,
 *   O(size of the sets involved) in Redis, no documents read.
 */
export async function sortedSetPage(
  redis: Redis,
  expr: SetExpr<string>,
  offset: number,
  limit: number,
  tempKey: () => string,
  { mergeWindow = MERGE_WINDOW, walkBudget = WALK_BUDGET, keptCounts }: { mergeWindow?: number; walkBudget?: number; keptCounts?: KeptCounts } = {},
): Promise<SortedSetPage> {
  const last = offset + limit - 1;
  if ('leaf' in expr) {
    const [total, ids] = (await execOrThrow(redis.multi().zcard(expr.leaf).zrevrange(expr.leaf, offset, last))).map(([, v]) => v);
    return { total: Number(total), ids: ids as string[] };
  }
  if ('union' in expr && expr.disjoint && offset + limit <= mergeWindow && expr.union.every((e) => 'leaf' in e)) {
    const m = redis.multi();
    for (const e of expr.union as { leaf: string }[]) m.zcard(e.leaf).zrevrange(e.leaf, 0, last, 'WITHSCORES');
    const replies = (await execOrThrow(m)).map(([, v]) => v);
    let total = 0;
    const heads: { id: string; score: number }[] = [];
    for (let i = 0; i < replies.length; i += 2) {
      total += Number(replies[i]);
      const flat = replies[i + 1] as string[];
      for (let j = 0; j < flat.length; j += 2) heads.push({ id: flat[j], score: Number(flat[j + 1]) });
    }
    heads.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return { total, ids: heads.slice(offset, offset + limit).map((h) => h.id) };
  }
  const walk = walkable(expr);
  if (walk) {
    if (!('evalhubSetWalk' in redis)) redis.defineCommand('evalhubSetWalk', { lua: WALK_SCRIPT });
    const keys = [...walk.must, ...(walk.not ? [walk.not] : [])];
    const kept = keptCounts ? [keptCounts.epoch, keptCounts.key(keys, !!walk.not)] : [];
    const args = [...keys, ...kept, offset, limit, walkBudget, walk.not ? 1 : 0, kept.length, KEPT_COUNT_SECONDS];
    const res = await (redis as unknown as WalkRedis).evalhubSetWalk(keys.length + kept.length, ...args).catch((e: Error) => {
      if (/unknown.*command/i.test(e.message)) return [-1];
      throw e;
    });
    if (Number(res[0]) >= 0) return { total: Number(res[0]), ids: res.slice(1) as string[] };
  }
  const m = redis.multi();
  const temps: string[] = [];
  const build = (e: SetExpr<string>): string => {
    if ('leaf' in e) return e.leaf;
    const dest = tempKey();
    temps.push(dest);
    if ('union' in e) {
      const keys = e.union.map(build);
      m.zunionstore(dest, keys.length, ...keys, 'AGGREGATE', 'MAX');
    } else if ('inter' in e) {
      const keys = e.inter.map(build);
      m.zinterstore(dest, keys.length, ...keys, 'AGGREGATE', 'MAX');
    } else {
      const keys = [build(e.diff), ...e.minus.map(build)];
      m.zdiffstore(dest, keys.length, ...keys);
    }
    return dest;
  };
  const key = build(expr);
  m.zcard(key).zrevrange(key, offset, last);
  m.del(...temps);
  const replies = (await execOrThrow(m)).map(([, v]) => v);
  return { total: Number(replies[replies.length - 3]), ids: replies[replies.length - 2] as string[] };
}
