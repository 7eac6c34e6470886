import { ApiError } from '../errors/api-error';

/** Bounds every JSON body must keep, whatever the route (DTOs set tighter ones per field). */
export const BODY_LIMITS = { maxDepth: 32, maxStringLength: 65536, maxArrayLength: 10000, maxKeyLength: 256 } as const;

/**
 * Largest body per route, below the global MAX_REQUEST_BODY_BYTES: a job request or an event is
 * small; a provider with its benchmark list can be large.
 */
const ROUTE_BODY_LIMITS: [RegExp, number][] = [
  [/^\/api\/v1\/evaluations\/jobs(\/[^/]+\/events)?$/, 512 * 1024],
  [/^\/api\/v1\/evaluations\/collections(\/[^/]+)?$/, 1024 * 1024],
];

/**
 * Resource bodies where a null member means "not given" (as the OpenAPI document says: optional
 * fields are nullable). Not events (a null metric is a value) nor JSON Patch (a null `value` is one).
 */
const NULL_IS_ABSENT = /^\/api\/v1\/evaluations\/(jobs|providers(\/[^/]+)?|collections(\/[^/]+)?)$/;

/** Drops null members of objects, at any depth (list items stay as they are). */
export function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' ? withoutNulls(x) : x));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) if (child !== null) out[k] = withoutNulls(child);
  return out;
}

export function nullMeansAbsent(method: string, path: string): boolean {
  return (method === 'POST' || method === 'PUT') && NULL_IS_ABSENT.test(path);
}

/** The body limit of a route path, if it has its own. */
export function routeBodyLimit(path: string): number | undefined {
  return ROUTE_BODY_LIMITS.find(([re]) => re.test(path))?.[1];
}

/**
 * Nesting depth of a JSON text, found by scanning it once without parsing, so that absurd
 * nesting is refused before anything recursive (parser, validator) sees it.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Finds the first value that breaks BODY_LIMITS; its path, for the message. */
function firstOversized(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return v.length > BODY_LIMITS.maxStringLength ? `${path || 'body'} is longer than ${BODY_LIMITS.maxStringLength} characters` : undefined;
  if (Array.isArray(v)) {
    if (v.length > BODY_LIMITS.maxArrayLength) return `${path || 'body'} has more than ${BODY_LIMITS.maxArrayLength} items`;
    for (let i = 0; i < v.length; i++) {
      const bad = firstOversized(v[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (v && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) {
      if (k.length > BODY_LIMITS.maxKeyLength) return `${path || 'body'} has a key longer than ${BODY_LIMITS.maxKeyLength} characters`;
      const bad = firstOversized(child, path ? `${path}.${k}` : k);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** Parses a request body as JSON within BODY_LIMITS; an empty body is no body. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  if (jsonDepth(text) > BODY_LIMITS.maxDepth) {
    throw new ApiError('json_too_deep', `The request body is nested more than ${BODY_LIMITS.maxDepth} levels deep.`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new ApiError('invalid_json_request', `The request body is not valid JSON: ${(e as Error).message}`);
  }
  const bad = firstOversized(body, '');
  if (bad) throw ApiError.validation(bad);
  return body;
}
