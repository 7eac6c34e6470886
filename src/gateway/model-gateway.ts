import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import { setTimeout as delay } from 'timers/promises';
import { EndpointLimits, endpointOrigin } from '../domain/gateway-settings';
import { ModelUsage } from '../domain/types';
import { EndpointLimiter } from './endpoint-limiter';
import { CacheMode, isDeterministic, ResponseCache } from './response-cache';
import { CallUsage, StreamUsage, usageOfJson } from './usage-meter';

// The worker's OpenAI-compatible model gateway. A run gets its own loopback listener, so the
// backend keeps whatever paths it builds from its base URL; the gateway forwards to the real
// endpoint with the API key (the backend never has it), holds calls to the endpoint's limits,
// retries transient failures, passes streams through chunk by chunk, and counts what each call
// cost.

/** Transient answers worth another attempt. */
const RETRY_STATUS = new Set([429, 502, 503, 504]);
const MAX_BODY = 64 * 1024 * 1024;
/** How much of a non-streaming answer is kept to read its usage. */
const MAX_METERED = 16 * 1024 * 1024;
/** Headers that belong to one hop, not to the request. */
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'authorization', 'accept-encoding', 'proxy-authorization', 'upgrade']);

export interface GatewayRoute {
  /** The model URL the job gives (any path: …/v1, …/v1/chat/completions). */
  upstream: string;
  apiKey?: string;
  limits: EndpointLimits;
  /** Extra attempts for connection errors, 429 and 502-504 (default 3). */
  maxRetries?: number;
  /** Said once per transient failure and for calls that fail for good. */
  log?: (line: string) => void;
  /** Identical calls answered from this store (the tenant's); deterministic ones only unless `all`. */
  cache?: { store: ResponseCache; mode: CacheMode };
}

export interface GatewayRun {
  /** What the backend gets instead of model.url: the same path on the run's listener. */
  readonly url: string;
  usage(scope?: Pick<ModelUsage, 'scope' | 'shared_with'>): ModelUsage;
  /** The last call that failed for good, for the benchmark's error message. */
  readonly lastError?: string;
  close(): Promise<void>;
}

/** Whether a call is inference (counted and limited) rather than a model list or tokenizer lookup. */
const isInference = (method: string, path: string) => method === 'POST' && /(completions|embeddings)(\?|$)/.test(path);

class Run implements GatewayRun {
  url = '';
  lastError?: string;
  private readonly server: http.Server;
  private readonly counts = { requests: 0, prompt: 0, completion: 0, errors: 0, retries: 0, cached: 0, modelMs: 0, waitedMs: 0, estimated: false, first: 0, last: 0 };
  private readonly origin: string;
  private readonly lib: typeof http | typeof https;
  private readonly agent: http.Agent;

  constructor(
    private readonly route: GatewayRoute,
    private readonly limiter: EndpointLimiter,
  ) {
    const origin = endpointOrigin(route.upstream);
    if (!origin) throw new Error(`the model URL '${route.upstream}' is not an http(s) URL`);
    this.origin = origin;
    this.lib = origin.startsWith('https:') ? https : http;
    this.agent = new this.lib.Agent({ keepAlive: true });
    this.server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => void this.handle(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const u = new URL(this.route.upstream);
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  }

  usage(scope: Pick<ModelUsage, 'scope' | 'shared_with'> = { scope: 'benchmark' }): ModelUsage {
    const c = this.counts;
    const round = (ms: number) => Math.round(ms) / 1000;
    return {
      requests: c.requests,
      prompt_tokens: c.prompt,
      completion_tokens: c.completion,
      total_tokens: c.prompt + c.completion,
      errors: c.errors,
      retries: c.retries,
      cached: c.cached,
      wall_seconds: c.first ? round(c.last - c.first) : 0,
      model_seconds: round(c.modelMs),
      waited_seconds: round(c.waitedMs),
      ...(c.estimated ? { estimated: true } : {}),
      ...scope,
    };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.agent.destroy();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      res.writeHead(413, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { message: (e as Error).message, type: 'invalid_request_error' } }));
      return;
    }
    const path = req.url ?? '/';
    const inference = isInference(req.method ?? 'GET', path);
    let request: unknown;
    if (inference) {
      try {
        request = JSON.parse(body.toString('utf8'));
      } catch {
        request = undefined;
      }
    }
    const cacheKey = inference && request !== undefined && this.cacheable(request) ? ResponseCache.key(this.origin, path, request) : undefined;
    if (cacheKey) {
      const hit = this.route.cache!.store.get(cacheKey);
      if (hit) {
        // Answered from the cache: no model call, no slot, nothing spent.
        res.writeHead(hit.status, { 'Content-Type': hit.contentType, 'Content-Length': String(hit.body.length), 'X-EvalHub-Cache': 'hit' });
        res.end(hit.body);
        this.counts.cached++;
        this.counts.first ||= Date.now();
        this.counts.last = Date.now();
        return;
      }
    }
    const closed = new AbortController();
    res.once('close', () => closed.abort());
    const slot = inference ? await this.limiter.acquire(this.origin, this.route.limits, closed.signal).catch(() => undefined) : { release: async () => undefined, waitedMs: 0 };
    if (!slot) return; // the client went away while waiting
    const started = Date.now();
    if (inference) {
      this.counts.waitedMs += slot.waitedMs;
      this.counts.first ||= started;
    }
    let usage: CallUsage | undefined;
    try {
      usage = await this.forward(req, res, path, body, request, inference, cacheKey);
    } finally {
      await slot.release(usage ? usage.promptTokens + usage.completionTokens : undefined).catch(() => undefined);
      if (inference) {
        this.counts.requests++;
        this.counts.modelMs += Date.now() - started;
        this.counts.last = Date.now();
        if (usage) {
          this.counts.prompt += usage.promptTokens;
          this.counts.completion += usage.completionTokens;
          this.counts.estimated ||= usage.estimated;
        } else this.counts.errors++;
      }
    }
  }

  /** Sends the call upstream (again, for transient failures) and streams the answer back; its usage when it succeeded. */
  private cacheable(request: unknown): boolean {
    const mode = this.route.cache?.mode ?? 'off';
    return mode === 'all' || (mode === 'deterministic' && isDeterministic(request));
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse, path: string, body: Buffer, request: unknown, inference: boolean, cacheKey?: string): Promise<CallUsage | undefined> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = v;
    headers['content-length'] = String(body.length);
    if (this.route.apiKey) headers.authorization = `Bearer ${this.route.apiKey}`;
    else if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const retries = this.route.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once(req.method ?? 'GET', path, headers, body);
      const why = outcome.kind === 'error' ? `${outcome.code}: ${outcome.message}` : `HTTP ${outcome.res.statusCode}`;
      const final = attempt >= retries;
      if (outcome.kind === 'answer' && (!RETRY_STATUS.has(outcome.res.statusCode ?? 0) || final)) {
        if (final && RETRY_STATUS.has(outcome.res.statusCode ?? 0)) this.failedForGood(attempt, why);
        // The endpoint's own answer, whatever it is: the backend reacts to it as it would directly.
        return this.relay(outcome.res, res, request, inference, cacheKey);
      }
      if (outcome.kind === 'answer') outcome.res.resume();
      if (final) {
        this.failedForGood(attempt, why);
        // Unreachable stays unreachable for the backend (a reset connection), not an HTTP error
        // it might retry for minutes; the benchmark's message carries the gateway's reason.
        res.destroy();
        return undefined;
      }
      this.counts.retries++;
      const retryAfter = outcome.kind === 'answer' ? Number(outcome.res.headers['retry-after']) : NaN;
      const wait = Number.isFinite(retryAfter) ? Math.min(30_000, retryAfter * 1000) : Math.min(8000, 250 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      this.route.log?.(`[gateway] ${new Date().toISOString()} ${path} → ${why}; attempt ${attempt + 2} of ${retries + 1} in ${(wait / 1000).toFixed(2)} s`);
      await delay(wait);
    }
  }

  private failedForGood(attempt: number, why: string): void {
    this.lastError = `the model endpoint ${this.origin} failed after ${attempt + 1} attempts: ${why}`;
    this.route.log?.(`[gateway] ${this.lastError}`);
  }

  private once(method: string, path: string, headers: http.OutgoingHttpHeaders, body: Buffer): Promise<{ kind: 'answer'; res: http.IncomingMessage } | { kind: 'error'; code: string; message: string }> {
    return new Promise((resolve) => {
      const up = this.lib.request(`${this.origin}${path}`, { method, headers, agent: this.agent }, (r) => resolve({ kind: 'answer', res: r }));
      up.on('error', (e: NodeJS.ErrnoException) => resolve({ kind: 'error', code: e.code ?? 'ECONNECTION', message: e.message }));
      up.setNoDelay(true);
      up.end(body);
    });
  }

  /** Status, headers and body passed on unchanged, each chunk as it comes; usage read on the way. */
  private relay(up: http.IncomingMessage, res: http.ServerResponse, request: unknown, inference: boolean, cacheKey?: string): Promise<CallUsage | undefined> {
    const headers = { ...up.headers };
    delete headers.connection;
    delete headers['keep-alive'];
    res.writeHead(up.statusCode ?? 502, headers);
    const ok = (up.statusCode ?? 500) < 400;
    const streaming = String(up.headers['content-type'] ?? '').includes('text/event-stream');
    const stream = new StreamUsage();
    const kept: Buffer[] = [];
    let keptBytes = 0;
    return new Promise((resolve) => {
      up.on('data', (chunk: Buffer) => {
        if (!res.write(chunk)) up.pause();
        if (!inference || !ok) return;
        if (streaming) stream.push(chunk);
        // The whole answer when it goes to the cache; a non-streamed one for its usage.
        if ((cacheKey || !streaming) && keptBytes < MAX_METERED) {
          kept.push(chunk);
          keptBytes += chunk.length;
        }
      });
      res.on('drain', () => up.resume());
      up.on('end', () => {
        res.end();
        if (!inference || !ok) {
          if (inference) this.lastError = `the model endpoint answered ${up.statusCode}`;
          return resolve(undefined);
        }
        const whole = Buffer.concat(kept);
        if (cacheKey && up.statusCode === 200 && keptBytes < MAX_METERED) {
          try {
            this.route.cache!.store.put(cacheKey, { status: 200, contentType: String(up.headers['content-type'] ?? 'application/json'), body: whole });
          } catch (e) {
            this.route.log?.(`[gateway] an answer could not be cached: ${(e as Error).message}`);
          }
        }
        resolve(streaming ? stream.result(request) : usageOfJson(whole.toString('utf8'), request));
      });
      up.on('error', () => {
        res.destroy();
        resolve(undefined);
      });
    });
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`the request body is larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Opens a gateway listener per run; one instance per worker. */
export class ModelGateway {
  constructor(private readonly limiter: EndpointLimiter) {}

  async open(route: GatewayRoute): Promise<GatewayRun> {
    const run = new Run(route, this.limiter);
    await run.listen();
    return run;
  }
}
