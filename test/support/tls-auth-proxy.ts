import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';

/**
 * What MLflow looks like behind OpenShift's kube-rbac-proxy: HTTPS with a certificate from a
 * private CA, and every request must carry the current bearer token (401 otherwise). Forwards to
 * a plain-HTTP upstream (the real mlflow server) and remembers who called with what.
 */
export class TlsAuthProxy {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-tls-'));
  readonly caCertPath = path.join(this.dir, 'ca.crt');
  /** The token the proxy accepts now; change it to simulate a rotated token. */
  token = 'token-one';
  readonly seen: { method: string; path: string; authorized: boolean }[] = [];
  private server?: https.Server;
  port = 0;

  constructor(private readonly upstream: string) {
    const key = path.join(this.dir, 'tls.key');
    // A self-signed certificate for 127.0.0.1 serves as its own CA.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', this.caCertPath, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
      stdio: 'ignore',
    });
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = https.createServer({ key: fs.readFileSync(path.join(this.dir, 'tls.key')), cert: fs.readFileSync(this.caCertPath) }, (req, res) => {
      const authorized = req.headers.authorization === `Bearer ${this.token}`;
      this.seen.push({ method: req.method ?? '', path: req.url ?? '', authorized });
      if (!authorized) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'bearer token missing or wrong' }));
        return;
      }
      const target = new URL(req.url ?? '/', this.upstream);
      const up = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
