import { DomainError } from './errors';

/**
 * List filters of §1.3: `a,b` means all of them, `a|b` any of them; a repeated query parameter is
 * joined with `,`. A leading `!` negates one term.
 */
export type FilterExpr = { any: string[] }[];

export function parseFilter(raw: string | string[] | undefined): FilterExpr | undefined {
  if (raw === undefined) return undefined;
  const joined = Array.isArray(raw) ? raw.join(',') : raw;
  if (joined === '') return undefined;
  return joined.split(',').map((part) => ({ any: part.split('|').filter((t) => t !== '') }));
}

function termMatches(term: string, values: string[]): boolean {
  if (term.startsWith('!')) return !values.includes(term.slice(1));
  return values.includes(term);
}

/** Whether a field (single value or list, e.g. tags) satisfies a filter expression. */
export function matchesFilter(expr: FilterExpr | undefined, value: string | string[] | undefined | null): boolean {
  if (!expr) return true;
  const values = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  return expr.every((clause) => clause.any.length === 0 || clause.any.some((t) => termMatches(t, values)));
}

export interface PageParams {
  limit: number;
  offset: number;
}

export const DEFAULT_LIMIT = 50;
/** The largest page served; `limit=0` (upstream: "no limit") is a page of this size. */
export const MAX_LIMIT = 1000;
/** Beyond any list this service holds; larger offsets are refused rather than sent to Redis. */
export const MAX_OFFSET = 1_000_000_000;

function parseNonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  // Upstream's code and wording for both a non-number and a negative number.
  if (!/^-?\d+$/.test(raw)) {
    throw new DomainError('query_parameter_invalid', `The query parameter '${name}' is not a valid integer: '${raw}'.`);
  }
  const n = Number(raw);
  if (n < 0) throw new DomainError('query_parameter_invalid', `The query parameter '${name}' is not a valid positive integer: '${raw}'.`);
  return n;
}

/** A typed query parameter given more than once is ambiguous: refused rather than guessed. */
export function once(name: string, raw: string | string[] | undefined): string | undefined {
  if (Array.isArray(raw)) throw new DomainError('query_parameter_invalid', `The query parameter '${name}' was given ${raw.length} times; give it once.`);
  return raw;
}

export function parsePage(query: Record<string, string | string[] | undefined>): PageParams {
  const limit = parseNonNegativeInt('limit', once('limit', query.limit), DEFAULT_LIMIT);
  const offset = parseNonNegativeInt('offset', once('offset', query.offset), 0);
  if (limit > MAX_LIMIT) throw new DomainError('query_parameter_invalid', `The query parameter 'limit' must be at most ${MAX_LIMIT} (0 means ${MAX_LIMIT}), got '${limit}'.`);
  if (offset > MAX_OFFSET) throw new DomainError('query_parameter_invalid', `The query parameter 'offset' must be at most ${MAX_OFFSET}, got '${single(query.offset)}'.`);
  return { limit: limit === 0 ? MAX_LIMIT : limit, offset };
}

export function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function parseBool(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new DomainError('query_parameter_invalid', `The query parameter '${name}' must be true or false, got '${raw}'.`);
}

/** `scope` of catalog lists: system or tenant resources only; not together with `owner`. */
export function parseScope(query: Record<string, string | string[] | undefined>): 'system' | 'tenant' | undefined {
  const scope = once('scope', query.scope);
  if (scope !== undefined && scope !== 'system' && scope !== 'tenant') {
    throw new DomainError('query_parameter_value_invalid', `The query parameter 'scope' must be 'system' or 'tenant', got '${scope}'.`);
  }
  if (scope && query.owner !== undefined) {
    throw new DomainError('query_parameter_mismatch', "The query parameters 'scope' and 'owner' can not be used together.");
  }
  return scope;
}

/** Rejects query parameters that an endpoint does not know (400 query_bad_parameter). */
export function assertKnownParams(query: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(query)) {
    if (!allowed.includes(k)) {
      throw new DomainError('query_bad_parameter', `The query parameter '${k}' is not supported. Supported: ${allowed.join(', ')}.`);
    }
  }
}

export interface Page<T> {
  first: { href: string };
  next?: { href: string };
  limit: number;
  total_count: number;
  items: T[];
}

/**
 * Slices an already filtered and ordered list. `limit=0` means no limit (and so never a next
 * link, unlike the upstream server which points `next` back at the same page).
 */
export function paginate<T>(all: T[], page: PageParams, requestUrl: string): Page<T> {
  const end = page.limit === 0 ? all.length : page.offset + page.limit;
  return pageOf(all.slice(page.offset, end), all.length, page, requestUrl);
}

/** A page whose items were already sliced (e.g. straight off an index) out of `total`. */
export function pageOf<T>(items: T[], total: number, page: PageParams, requestUrl: string): Page<T> {
  const out: Page<T> = { first: { href: requestUrl }, limit: page.limit, total_count: total, items };
  if (page.limit > 0 && page.offset + page.limit < total) out.next = { href: withOffset(requestUrl, page.offset + page.limit) };
  return out;
}

export function withOffset(url: string, offset: number): string {
  const [path, qs = ''] = url.split('?', 2);
  const params = new URLSearchParams(qs);
  params.set('offset', String(offset));
  return `${path}?${params.toString()}`;
}
