import * as http from 'http';
import * as https from 'https';

// One HTTP call from an executor to a remote service (an evaluator container, a KFP API), with
// what their settings ask: TLS verification on or off or a private CA, a deadline, the run's
// cancel signal. Node's http/https rather than fetch: fetch can set neither per request.

export interface Answer {
  status: number;
  text: string;
}

/** The request never got an HTTP answer: refused, reset, unreachable, timed out. Worth retrying. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer;
  verifySsl: boolean;
  /** PEM bundle that signs the server's certificate. */
  ca?: Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
}

const MAX_ANSWER = 256 * 1024 * 1024;

export function httpCall(url: string, opts: CallOptions): Promise<Answer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method: opts.method,
        headers: { Accept: 'application/json', ...opts.headers, ...(opts.body ? { 'Content-Length': String(opts.body.length) } : {}) },
        ...(u.protocol === 'https:' ? { rejectUnauthorized: opts.verifySsl, ...(opts.ca ? { ca: opts.ca } : {}) } : {}),
        signal: opts.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > MAX_ANSWER) req.destroy(new ConnectionError(`the answer is larger than ${MAX_ANSWER} bytes`, 'EANSWERTOOLARGE'));
          else chunks.push(d);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(toConnectionError(e)));
      },
    );
    req.setTimeout(opts.timeoutMs, () => req.destroy(new ConnectionError(`no answer within ${Math.round(opts.timeoutMs / 1000)} s`, 'ETIMEDOUT')));
    req.on('error', (e) => reject(toConnectionError(e)));
    req.end(opts.body);
  });
}

function toConnectionError(e: Error): Error {
  if (e instanceof ConnectionError || e.name === 'AbortError') return e;
  const code = (e as NodeJS.ErrnoException).code ?? 'ECONNECTION';
  return new ConnectionError(e.message || code, code);
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
