import * as http from 'http';
import * as https from 'https';
import { NemoContainer } from '../../domain/nemo-evaluator-settings';

// HTTP to one evaluator container, with what the settings ask: bearer token, TLS verification on
// or off, a deadline, and the run's cancel signal. Node's http/https rather than fetch: fetch
// cannot turn certificate checks off per request (verify_ssl: false).

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

export function containerUrl(c: NemoContainer, path = ''): string {
  return `${c.scheme}://${c.host.includes(':') && !c.host.startsWith('[') ? `[${c.host}]` : c.host}:${c.port}${path}`;
}

const MAX_ANSWER = 256 * 1024 * 1024;

export function send(
  c: NemoContainer,
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; token?: string; verifySsl: boolean; timeoutMs: number; signal?: AbortSignal },
): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const lib = c.scheme === 'https' ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    const req = lib.request(
      {
        host: c.host.replace(/^\[|\]$/g, ''),
        port: c.port,
        path,
        method,
        headers: {
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
          ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
        },
        ...(c.scheme === 'https' ? { rejectUnauthorized: opts.verifySsl } : {}),
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
    req.end(payload);
  });
}

function toConnectionError(e: Error): Error {
  if (e instanceof ConnectionError || e.name === 'AbortError') return e;
  const code = (e as NodeJS.ErrnoException).code ?? 'ECONNECTION';
  return new ConnectionError(e.message || code, code);
}
