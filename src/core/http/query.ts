import type { FastifyRequest } from 'fastify';

export type Query = Record<string, string | string[] | undefined>;

/** The raw request URI as received, for `first.href` of list pages. */
export function requestUri(req: FastifyRequest): string {
  return req.url;
}
