import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { MlflowAuth } from '../core/config/app-config';

export type { MlflowAuth };

export interface HttpReply {
  status: number;
  text: string;
  /** The same bytes, for binary downloads. */
  body: Buffer;
}

/** Reads the bearer token: the file wins over the static value; a missing file means none. */
export function mlflowToken(auth: MlflowAuth): string | undefined {
  if (auth.tokenPath) {
    try {
      const t = fs.readFileSync(auth.tokenPath, 'utf8').trim();
      if (t) return t;
    } catch {
      /* not mounted (yet): fall back to the static token */
    }
  }
  return auth.token || undefined;
}

/**
 * The wire under the MLflow client: node's http/https with the auth headers and, for https, the
 * configured CA (global fetch cannot take a CA without an extra dependency).
 */
export class MlflowHttp {
  private readonly agent?: https.Agent;

  constructor(private readonly auth: MlflowAuth = {}) {
    if (auth.caCertPath) this.agent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(auth.caCertPath) });
  }

  authHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    const token = mlflowToken(this.auth);
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.auth.workspace) headers['x-mlflow-workspace'] = this.auth.workspace;
    return headers;
  }

  send(method: string, url: URL, headers: Record<string, string>, body: string | Uint8Array | undefined, timeoutMs: number): Promise<HttpReply> {
    const mod = url.protocol === 'https:' ? https : http;
    const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return new Promise<HttpReply>((resolve, reject) => {
      const req = mod.request(
        url,
        {
          method,
          headers: { ...this.authHeaders(), ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
          ...(url.protocol === 'https:' && this.agent ? { agent: this.agent } : {}),
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, body, text: body.toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
