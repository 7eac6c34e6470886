import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'http';
import { randomUUID } from 'crypto';
import { splitCapabilityPath } from '../../domain/callback-binding';
import { CONTRACT_HEALTH, healthBody, REQUEST_ID_HEADER } from './health-probe';
import { readsAsJson } from './json-body-types';
import { parseJsonBody } from './json-body';
import { RequestContext } from './request-context';
import { PlainGet, plainResponse } from './plain-get';
import { PlainGetConnections } from './plain-get-connections';
import { isStaticRoute } from './route-table';

/** The header that carries a benchmark run's callback token (sidecar, or the /cb/<token> path). */
export const CALLBACK_TOKEN_HEADER = 'x-evalhub-callback-token';
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
/** A body a read has already serialised: sent as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** A read answered on the fast path: the route's path parameters and the caller, the body to send as JSON. */
export type FastReadHandler = (params: string[], caller: RequestContext) => Promise<unknown>;

/**
 * A JSON-body POST answered on the fast path with 204: the route's path parameters, the parsed
 * body, the caller and the request's headers (with a callback token of the URL moved to its header).
 */
export type FastWriteHandler = (params: string[], body: unknown, caller: RequestContext, headers: IncomingHttpHeaders) => Promise<void>;

interface FastRead {
  route: string;
  pattern: RegExp;
  handle: FastReadHandler;
}

/** An answer before it is written: status, body as sent, headers beyond the usual ones. */
interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

interface FastWrite {
  route: string;
  pattern: RegExp;
  handle: FastWriteHandler;
}

/** A POST the fast path takes: its write, the path it serves (without a callback URL's prefix), path parameters, declared body length and headers. */
interface WriteMatch {
  write: FastWrite;
  path: string;
  params: string[];
  length: number;
  headers: IncomingHttpHeaders;
}

/** A request id given by the caller (bounded), or a new one. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const h = headers[REQUEST_ID_HEADER];
  return requestIdFrom(Array.isArray(h) ? h[0] : h);
}

function requestIdFrom(given: string | undefined): string {
  return given && given.length <= 200 ? given : randomUUID();
}

/**
 * The HTTP server under Fastify, which answers the most frequent plain requests itself: the health
 * check, the GET routes modules register here (a job's status, polled by every client) and the
 * JSON POSTs they register (adapters' events, the busiest write). Fastify's request and reply
 * objects, hooks, body parser and Nest's per-request pipeline cost more than half of such an
 * answer's time. The answers are the same as the Nest routes' (which stay, for the OpenAPI document
 * and every other case): same body limits and parser, access check, validation, error format and
 * metrics. Requests with a query, a browser origin (CORS and origin rules), reads with a body,
 * writes without a declared length or over the route's limit, or with a media type not read as
 * JSON, and any request while the app is closing (Fastify answers 503) go to Fastify.
 */
export class FastPath {
  private closing = false;
  private plainGets?: PlainGetConnections;
  private observer?: FastPathObserver;
  private readonly reads: FastRead[] = [];
  private readonly writes: FastWrite[] = [];
  /** The largest body a path takes (Fastify's global limit or the route's own); writes need it. */
  bodyLimit?: (path: string) => number;
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

  /** Serves `POST <pattern>` with a JSON body here, answering 204; `route` labels its metrics. */
  write(route: string, pattern: RegExp, handle: FastWriteHandler): void {
    this.writes.push({ route, pattern, handle });
  }

  /** For FastifyAdapter's `serverFactory`. */
  readonly serverFactory = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    const server = createServer((req, res) => {
      if (this.closing || req.headers.origin !== undefined) return handler(req, res);
      const url = req.url ?? '/';
      if (req.method === 'GET') {
        if (url === CONTRACT_HEALTH) return this.health(req, res);
        if (!url.includes('?') && req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
          const read = this.matchRead(url);
          if (read) return void this.answerRead(read.r, read.params, req, res);
        }
      } else if (req.method === 'POST' && this.writes.length && this.authorize && this.bodyLimit) {
        const match = this.matchWrite(url, req.headers);
        if (match) return void this.answerWrite(match, req, res);
      }
      handler(req, res);
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.plainGets = new PlainGetConnections(server, (get) => this.plainAnswer(get), KEEP_ALIVE_TIMEOUT_MS);
    return server;
  };

  /** From now on every request goes to Fastify (which answers 503); connections held for probes end. */
  startClosing(): void {
    this.closing = true;
    this.plainGets?.endHeld();
  }

  /** The read a query-less GET path is for, with its path parameters (a fixed path such as `/jobs/stream` is its own route, never a parameter). */
  private matchRead(path: string): { r: FastRead; params: string[] } | undefined {
    if (!this.reads.length || !this.authorize || isStaticRoute(path)) return undefined;
    for (const r of this.reads) {
      const m = r.pattern.exec(path);
      const params = m ? decoded(m.slice(1)) : undefined;
      if (params) return { r, params };
    }
    return undefined;
  }

  /**
   * The whole answer to a plain GET read off its connection's bytes, below Node's HTTP layer: the
   * health check's at once, a fast-path read's once read; undefined leaves the request to Node.
   */
  private plainAnswer(get: PlainGet): string | Promise<string> | undefined {
    if (this.closing) return undefined;
    const keepAlive = KEEP_ALIVE_TIMEOUT_MS / 1000;
    if (get.path === CONTRACT_HEALTH) {
      const id = requestIdOf(get.headers);
      const now = Date.now();
      const body = this.healthAnswer(now);
      return plainResponse(200, replyHeaders(id, body), body, now, keepAlive);
    }
    const read = this.matchRead(get.path);
    if (!read) return undefined;
    const id = requestIdOf(get.headers);
    const plain: PlainRequest = { id, method: 'GET', url: get.path, headers: get.headers };
    return this.readReply(read.r, read.params, plain).then((reply) => plainResponse(reply.status, replyHeaders(id, reply.body, reply.headers), reply.body, Date.now(), keepAlive));
  }

  private health(req: IncomingMessage, res: ServerResponse): void {
    this.send(res, requestIdOf(req.headers), 200, this.healthAnswer(Date.now()));
  }

  /** The health check's body at a time, counted in the metrics (both paths that answer it here). */
  private healthAnswer(now: number): string {
    const started = this.observer ? process.hrtime.bigint() : 0n;
    const body = healthBody(now);
    this.observer?.('GET', CONTRACT_HEALTH, 200, Number(process.hrtime.bigint() - started) / 1e9);
    return body;
  }

  private async answerRead(r: FastRead, params: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
    const plain: PlainRequest = { id: requestIdOf(req.headers), method: 'GET', url: req.url ?? '/', headers: req.headers };
    const reply = await this.readReply(r, params, plain);
    this.send(res, plain.id, reply.status, reply.body, reply.headers);
  }

  /** A read's answer (an error rendered as the exception filter renders it), counted in the metrics. */
  private async readReply(r: FastRead, params: string[], plain: PlainRequest): Promise<Reply> {
    const started = process.hrtime.bigint();
    let reply: Reply;
    try {
      const caller = await this.authorize!(plain);
      const body = await r.handle(params, caller);
      reply = { status: 200, body: body instanceof JsonText ? body.text : JSON.stringify(body) };
    } catch (e) {
      reply = this.errorReply(plain, e);
    }
    this.observer?.('GET', r.route, reply.status, Number(process.hrtime.bigint() - started) / 1e9);
    return reply;
  }

  /**
   * The write a POST is for, when the fast path can take it: a declared body within the path's
   * limit, read as JSON (as Fastify's hooks relabel media types), no `Expect`. A callback URL's
   * `/cb/<token>` prefix moves to the token header, as Fastify's rewriteUrl does.
   */
  private matchWrite(url: string, headers: IncomingHttpHeaders): WriteMatch | undefined {
    const declared = headers['content-length'];
    if (url.includes('?') || declared === undefined || headers['transfer-encoding'] !== undefined || headers.expect !== undefined) return undefined;
    if (!/^[1-9][0-9]{0,9}$/.test(declared) || !readsAsJson(headers['content-type'])) return undefined;
    const split = splitCapabilityPath(url);
    const path = split?.path ?? url;
    const length = Number(declared);
    if (length > this.bodyLimit!(path)) return undefined;
    for (const write of this.writes) {
      const m = write.pattern.exec(path);
      const params = m ? decoded(m.slice(1)) : undefined;
      if (params) return { write, path, params, length, headers: split ? { ...headers, [CALLBACK_TOKEN_HEADER]: split.token } : headers };
    }
    return undefined;
  }

  private async answerWrite(match: WriteMatch, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    // The access check and error log see the path the route serves, never a token in it.
    const plain: PlainRequest = { id: requestIdOf(req.headers), method: 'POST', url: match.path, headers: match.headers };
    const text = await readBody(req, match.length);
    // A client that went away before sending its body gets no answer.
    if (text === undefined) return;
    let status = 204;
    try {
      // As in Fastify and Nest: the body is parsed before the access check.
      const body = parseJsonBody(text);
      const caller = await this.authorize!(plain);
      await match.write.handle(match.params, body, caller, match.headers);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(204, { [REQUEST_ID_HEADER]: plain.id });
        res.end();
      }
    } catch (e) {
      status = this.sendError(res, plain, e);
    }
    this.observer?.('POST', match.write.route, status, Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** Answers an error as the exception filter renders it; its status. */
  private sendError(res: ServerResponse, plain: PlainRequest, e: unknown): number {
    const reply = this.errorReply(plain, e);
    this.send(res, plain.id, reply.status, reply.body, reply.headers);
    return reply.status;
  }

  private errorReply(plain: PlainRequest, e: unknown): Reply {
    const err = this.renderError?.(e, plain) ?? { status: 500, body: { message_code: 'internal_server_error', message: 'An internal error occurred.', trace: plain.id } };
    return { status: err.status, body: JSON.stringify(err.body), headers: err.headers };
  }

  private send(res: ServerResponse, requestId: string, status: number, body: string, headers?: Record<string, string>): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, replyHeaders(requestId, body, headers));
    res.end(body);
  }
}

/** The headers of every fast-path answer with a JSON body, after any of its own. */
function replyHeaders(requestId: string, body: string, headers?: Record<string, string>): Record<string, string | number> {
  return { ...headers, [REQUEST_ID_HEADER]: requestId, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
}

/** The declared `length` bytes of a body as text; undefined when the client leaves first. */
function readBody(req: IncomingMessage, length: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
    });
    req.once('end', () => resolve(size === length ? (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8') : undefined));
    req.once('error', () => resolve(undefined));
    req.once('close', () => resolve(undefined));
  });
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
