import type { OpenAPIObject } from '@nestjs/swagger';
import { MAX_LIMIT, MAX_OFFSET } from './domain/filters';
import { MAX_SINCE_SECONDS } from './evaluations/job-logs.service';

type Schema = Record<string, unknown>;

/** What the server enforces on query parameters, by name (the handlers take them as strings). */
const QUERY_SCHEMAS: Record<string, Schema> = {
  limit: { type: 'integer', minimum: 0, maximum: MAX_LIMIT },
  offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET },
  benchmarks: { type: 'boolean' },
  hard_delete: { type: 'boolean' },
  timestamps: { type: 'boolean' },
  tail_lines: { type: 'integer', anyOf: [{ const: -1 }, { minimum: 1, maximum: 10000 }] },
  since_seconds: { type: 'integer', minimum: 1, maximum: MAX_SINCE_SECONDS },
  scope: { type: 'string', enum: ['system', 'tenant'] },
};

const HEADERS = [
  {
    name: 'X-Tenant',
    in: 'header',
    required: false,
    description: 'Tenant (a Kubernetes namespace name); chooses among the tenants the caller may use',
    // Empty counts as not given.
    schema: { type: 'string', pattern: '^$|^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' },
  },
  {
    name: 'X-User',
    in: 'header',
    required: false,
    description: 'Calling user, taken as given only without authentication (behind an authenticating proxy)',
    schema: { type: 'string', pattern: '^$|^[A-Za-z0-9][A-Za-z0-9@._:+-]{0,252}$' },
  },
];

const ERROR_TEXT: Record<string, string> = {
  '400': 'Invalid request (see message_code)',
  '401': 'No or invalid credentials',
  '403': 'Not allowed',
  '413': 'Request body too large',
  '503': 'Store or credential check unavailable',
};

const ERROR_REF = { $ref: '#/components/schemas/ErrorDto' };

/**
 * Makes the document say what the server really enforces, so that clients (and a schema-driven
 * fuzzer) see the same rules: typed and bounded query parameters, the identity headers with
 * their patterns, bearer authentication, every error status an operation can answer with, and
 * JSON error bodies on the plain-text log routes.
 */
export function withEnforcedConstraints(doc: OpenAPIObject): OpenAPIObject {
  doc.components = doc.components ?? {};
  doc.components.securitySchemes = {
    ...(doc.components.securitySchemes ?? {}),
    bearer: { type: 'http', scheme: 'bearer', description: 'Required when authentication is on (README "Security"); adapters use their run\'s callback token instead' },
  };
  // class-validator's IsOptional lets null through as "not given", and such a field is stored and
  // shown as null: say so.
  for (const schema of Object.values(doc.components.schemas ?? {}) as { properties?: Record<string, Schema>; required?: string[] }[]) {
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      if (schema.required?.includes(name)) continue;
      prop.nullable = true;
      // In OpenAPI 3.0 an enum must list null itself for null to be valid.
      if (Array.isArray(prop.enum) && !prop.enum.includes(null)) prop.enum = [...prop.enum, null];
    }
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    const api = path.startsWith('/api/v1/evaluations');
    for (const op of Object.values(item) as { parameters?: Schema[]; responses?: Record<string, unknown>; security?: unknown[] }[]) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const params = (op.parameters ?? []).filter((p) => !(p.in === 'header' && (p.name === 'X-Tenant' || p.name === 'X-User')));
      for (const p of params) if (p.in === 'query' && QUERY_SCHEMAS[p.name as string]) p.schema = QUERY_SCHEMAS[p.name as string];
      op.parameters = api ? [...params, ...HEADERS] : params;
      if (!api) continue;
      op.security = [{}, { bearer: [] }];
      const writes = !!(op as { requestBody?: unknown }).requestBody;
      for (const status of ['400', '401', '403', ...(writes ? ['413'] : []), '503']) {
        op.responses[status] ??= { description: ERROR_TEXT[status], content: { 'application/json': { schema: ERROR_REF } } };
      }
      for (const [status, res] of Object.entries(op.responses)) {
        if (status.startsWith('2')) continue;
        const r = res as { content?: Record<string, unknown> };
        r.content = { 'application/json': { schema: ERROR_REF } };
      }
    }
  }
  return doc;
}
