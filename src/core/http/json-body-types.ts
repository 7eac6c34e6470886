import type { FastifyInstance } from 'fastify';

/**
 * Media types whose bodies are read as JSON, as the upstream server reads every body. Clients
 * rely on it: Go's and many scripts' HTTP clients send no Content-Type, `curl -d` sends
 * application/x-www-form-urlencoded, fetch() with a string body sends text/plain, and RFC 6902
 * clients send application/json-patch+json.
 */
const READ_AS_JSON = new Set(['text/plain', 'application/x-www-form-urlencoded', 'application/json-patch+json']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Whether a request with this Content-Type (undefined: none sent) has its body parsed as JSON. */
export function readsAsJson(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const media = contentType.split(';', 1)[0].trim().toLowerCase();
  return media === 'application/json' || READ_AS_JSON.has(media);
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/**
 * Relabels such bodies as application/json before Fastify picks a parser, so the one JSON parser
 * (with its limits) reads them; other media types still get 415.
 */
export function readBodiesAsJson(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, next) => {
    if (BODY_METHODS.has(req.method) && hasBody(req.headers)) {
      const ct = req.headers['content-type'];
      if (readsAsJson(ct) && !/^\s*application\/json\s*(;|$)/i.test(ct ?? '')) req.headers['content-type'] = 'application/json';
    }
    next();
  });
}
