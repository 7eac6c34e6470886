import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'http';
import { randomUUID } from 'crypto';
import { RequestContext } from './request-context';
import { isStaticRoute } from './route-table';

/** The contract's health check: probed often, and needs nothing of the framework. */
export const CONTRACT_HEALTH = '/api/v1/health';
export const REQUEST_ID_HEADER = 'x-global-transaction-id';
/** Node's default (5 s) is shorter than clients' pools expect; Fastify's default was 72 s. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** What the access check and the error renderer read of a request, here or in Fastify. */
export interface PlainRequest {
  id: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export type FastPathObserver = (method: string, route: string, status: number, seconds: number) => void;
/** A read answered on the fast path: the route's path parameters and the caller, the body to send as JSON. */
export type FastReadHandler = (params: string[], caller: RequestContext) => Promise<unknown>;

interface FastRead {
  route: string;
  pattern: RegExp;
  handle: FastReadHandler;
}

/** The contract health check's answer (the fast path's and Fastify's alike). */
export function healthBody(): string {
  return `{"status":"healthy","timestamp":"${new Date().toISOString()}"}`;
}

/** A request id given by the caller (bounded), or a new one. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const h = headers[REQUEST_ID_HEADER];
  const v = Array.isArray(h) ? h[0] : h;
  return v && v.length <= 200 ? v : randomUUID();
}

/**
 * The HTTP server under Fastify, which answers the most frequent plain reads itself: the health
 * check, and the GET routes modules register here (a job's status, polled by every client).
 * Fastify's request and reply objects, hooks and Nest's per-request pipeline cost more than half
 * of such an answer's time. The answers are the same as the Nest routes' (which stay, for the
 * OpenAPI document and every other case): same access check, same error format, same metrics.
 * Requests with a query, a body, a browser origin (CORS and origin rules), or while the app is
 * closing (Fastify answers 503) go to Fastify.
 */
export class FastPath {
  closing = false;
  private observer?: FastPathObserver;
  private readonly reads: FastRead[] = [];
  /** Decides who calls (the access guard's rule); reads are served only once it is set. */
  authorize?: (req: PlainRequest) => Promise<RequestContext>;
  /** Renders an error as the exception filter does. */
  renderError?: (e: unknown, req: PlainRequest) => { status: number; body: unknown; headers?: Record<string, string> };

  /** Metrics learn of the answers given here, as of those Fastify gives. */
  observe(fn: FastPathObserver): void {
    this.observer = fn;
  }

  /** Serves `GET <pattern>` here; `route` is the route pattern metrics label it with. */
  read(route: string, pattern: RegExp, handle: FastReadHandler): void {
    this.reads.push({ route, pattern, handle });
  }

  /** For FastifyAdapter's `serverFactory`. */
  readonly serverFactory = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || this.closing || req.headers.origin !== undefined) return handler(req, res);
      const url = req.url ?? '/';
      if (url === CONTRACT_HEALTH) return this.health(req, res);
      // A fixed path (`/jobs/stream`) is its own route, never a parameter of `/jobs/:id`.
      if (this.reads.length && this.authorize && !url.includes('?') && req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined && !isStaticRoute(url)) {
        for (const r of this.reads) {
          const m = r.pattern.exec(url);
          const params = m ? decoded(m.slice(1)) : undefined;
          if (params) return void this.answerRead(r, params, req, res);
        }
      }
      handler(req, res);
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    return server;
  };

  private health(req: IncomingMessage, res: ServerResponse): void {
    const started = this.observer ? process.hrtime.bigint() : 0n;
    this.send(res, requestIdOf(req.headers), 200, healthBody());
    this.observer?.('GET', CONTRACT_HEALTH, 200, Number(process.hrtime.bigint() - started) / 1e9);
  }

  private async answerRead(r: FastRead, params: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const plain: PlainRequest = { id: requestIdOf(req.headers), method: 'GET', url: req.url ?? '/', headers: req.headers };
    let status = 200;
    try {
      const caller = await this.authorize!(plain);
      this.send(res, plain.id, 200, JSON.stringify(await r.handle(params, caller)));
    } catch (e) {
      const err = this.renderError?.(e, plain) ?? { status: 500, body: { message_code: 'internal_server_error', message: 'An internal error occurred.', trace: plain.id } };
      status = err.status;
      this.send(res, plain.id, status, JSON.stringify(err.body), err.headers);
    }
    this.observer?.('GET', r.route, status, Number(process.hrtime.bigint() - started) / 1e9);
  }

  private send(res: ServerResponse, requestId: string, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      ...headers,
      'x-global-transaction-id': requestId,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }
}

/** Path parameters, URL-decoded; undefined when one is malformed (Fastify then answers). */
function decoded(raw: string[]): string[] | undefined {
  try {
    return raw.map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

const byApp = new WeakMap<object, FastPath>();

/** Ties a fast path to the Fastify instance it serves, so modules (metrics, routes) can find it. */
export function attachFastPath(fastify: object, fastPath: FastPath): void {
  byApp.set(fastify, fastPath);
}

export function fastPathOf(fastify: object): FastPath | undefined {
  return byApp.get(fastify);
}
