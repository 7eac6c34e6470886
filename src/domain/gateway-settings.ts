// Limits the model gateway enforces per model endpoint (an origin: scheme://host:port), across
// every worker: concurrent requests, requests per minute, tokens per minute. From the worker's
// MODEL_ENDPOINT_LIMITS, a JSON object keyed by origin ("*" for any other endpoint), e.g.
//   {"http://vllm:8000": {"max_concurrent": 8, "rpm": 600}, "*": {"max_concurrent": 32}}

export interface EndpointLimits {
  max_concurrent?: number;
  rpm?: number;
  tpm?: number;
}

export type EndpointLimitTable = Record<string, EndpointLimits>;

const KEYS = ['max_concurrent', 'rpm', 'tpm'] as const;

/** Parses and checks the table; every problem named (a start-up error). */
export function parseEndpointLimits(raw: string | undefined): { limits: EndpointLimitTable; errors: string[] } {
  if (!raw || !raw.trim()) return { limits: {}, errors: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    return { limits: {}, errors: [`MODEL_ENDPOINT_LIMITS is not JSON: ${(e as Error).message}`] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { limits: {}, errors: ['MODEL_ENDPOINT_LIMITS must be an object keyed by endpoint origin'] };
  const errors: string[] = [];
  const limits: EndpointLimitTable = {};
  for (const [key, v] of Object.entries(doc)) {
    const origin = key === '*' ? '*' : endpointOrigin(key);
    if (!origin) {
      errors.push(`MODEL_ENDPOINT_LIMITS: '${key}' is not an http(s) origin or "*"`);
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      errors.push(`MODEL_ENDPOINT_LIMITS['${key}'] must be an object of ${KEYS.join(', ')}`);
      continue;
    }
    const entry: EndpointLimits = {};
    for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
      if (!(KEYS as readonly string[]).includes(k)) errors.push(`MODEL_ENDPOINT_LIMITS['${key}'].${k} is not a limit (known: ${KEYS.join(', ')})`);
      else if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) errors.push(`MODEL_ENDPOINT_LIMITS['${key}'].${k} must be a whole number from 1`);
      else entry[k as (typeof KEYS)[number]] = n;
    }
    limits[origin] = entry;
  }
  return { limits, errors };
}

/** scheme://host:port of a URL (the port made explicit), or undefined. */
export function endpointOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return undefined;
  }
}

export function limitsFor(table: EndpointLimitTable, url: string): EndpointLimits {
  const origin = endpointOrigin(url);
  return (origin ? table[origin] : undefined) ?? table['*'] ?? {};
}
