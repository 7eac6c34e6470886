import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The foreign origin of a state-changing request that a browser sends for a page of another site
 * (CSRF), to be refused; undefined when it may pass. Same-origin pages (the Swagger UI), clients
 * that send no Origin (curl, SDKs) and the origins allowed for CORS pass.
 */
export function foreignOrigin(req: FastifyRequest, allowed: string[]): string | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const origin = req.headers.origin;
  if (!origin) return undefined;
  if (allowed.includes(origin) || allowed.includes('*')) return undefined;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  return host && host === req.headers.host ? undefined : origin;
}
