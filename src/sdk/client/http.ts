import { EvalHubError } from './errors';

export interface HttpOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** Bearer token sent as Authorization. */
  token?: string;
  /** X-Tenant: the tenant (Kubernetes namespace) the calls act for. */
  tenant?: string;
  /** X-User, for deployments where a trusted proxy does not set it. */
  user?: string;
  /** Per request, in milliseconds (default 30 s); streams are not bounded by it. */
  timeoutMs?: number;
  /** How often a 503 or a refused connection is tried again (default 3), with backoff. */
  retries?: number;
  /** Replaces global fetch (tests, proxies). */
  fetch?: typeof fetch;
}

const RETRYABLE = new Set([502, 503, 504]);

/** The requests the client makes: headers, timeouts, retries on 503, errors with their message_code. */
export class Http {
  readonly baseUrl: string;
  constructor(private readonly o: HttpOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      Accept: 'application/json',
      ...(this.o.token ? { Authorization: `Bearer ${this.o.token}` } : {}),
      ...(this.o.tenant ? { 'X-Tenant': this.o.tenant } : {}),
      ...(this.o.user ? { 'X-User': this.o.user } : {}),
      ...extra,
    };
  }

  /** A JSON request; undefined for 204. */
  async json<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean | undefined | string[]>): Promise<T> {
    const res = await this.send(method, path, body, query);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A text answer (logs). */
  async text(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<string> {
    return (await this.send('GET', path, undefined, query)).text();
  }

  /** The raw answer of a successful request (streams read its body). */
  async send(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean | undefined | string[]>, opts: { stream?: boolean; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<Response> {
    const url = this.url(path, query);
    const fetchFn = this.o.fetch ?? fetch;
    const retries = this.o.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const signals = [opts.signal, opts.stream ? undefined : AbortSignal.timeout(this.o.timeoutMs ?? 30_000)].filter((s): s is AbortSignal => !!s);
      let res: Response;
      try {
        res = await fetchFn(url, {
          method,
          headers: this.headers({ ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...opts.headers }),
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: signals.length ? AbortSignal.any(signals) : undefined,
        });
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        if (attempt < retries && isRefused(e)) {
          await backoff(attempt);
          continue;
        }
        throw new EvalHubError(`EvalHub is not reachable at ${this.baseUrl}: ${causeOf(e)}`, 0);
      }
      if (res.ok) return res;
      if (RETRYABLE.has(res.status) && attempt < retries) {
        await res.body?.cancel();
        await backoff(attempt, Number(res.headers.get('retry-after')) || undefined);
        continue;
      }
      throw await errorOf(res);
    }
  }

  url(path: string, query?: Record<string, string | number | boolean | undefined | string[]>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) qs.append(k, String(x));
    }
    const q = qs.toString();
    return `${this.baseUrl}${path}${q ? `?${q}` : ''}`;
  }
}

async function errorOf(res: Response): Promise<EvalHubError> {
  const text = await res.text();
  let body: { message?: string; message_code?: string } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const message = body?.message ?? (text.slice(0, 300) || res.statusText);
  return new EvalHubError(`${res.status} ${body?.message_code ? `${body.message_code}: ` : ''}${message}`, res.status, body?.message_code, body ?? text);
}

function isRefused(e: unknown): boolean {
  const code = ((e as { cause?: { code?: string } })?.cause ?? {}).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

function backoff(attempt: number, retryAfterSeconds?: number): Promise<void> {
  const ms = retryAfterSeconds !== undefined ? Math.min(retryAfterSeconds, 30) * 1000 : Math.min(8000, 250 * 2 ** attempt);
  return new Promise((r) => setTimeout(r, ms));
}
