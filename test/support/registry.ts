import { ChildProcess, execFileSync, spawn } from 'child_process';
import { createSign, randomUUID, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';
import { freePort, waitFor } from './ports';

/**
 * The CNCF distribution registry (Debian's docker-registry) on a free loopback port: anonymous,
 * with htpasswd (Basic) users, or with token auth, for which this file also runs the token
 * service (RS256 JWTs whose x5c certificate the registry trusts).
 */
export class Registry {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-registry-'));
  port = 0;
  private proc?: ChildProcess;
  private tokenServer?: http.Server;
  readonly output: string[] = [];
  /** What the token service was asked: its Authorization header and scope. */
  readonly tokenRequests: { authorization?: string; scope: string | null }[] = [];

  constructor(private readonly auth: { kind: 'none' } | { kind: 'htpasswd' | 'token'; user: string; password: string } = { kind: 'none' }) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await freePort();
    const lines = ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${path.join(this.dir, 'data')}`, '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${this.port}`];
    if (this.auth.kind === 'htpasswd') {
      const file = path.join(this.dir, 'htpasswd');
      // bcrypt, the only hash the registry accepts.
      execFileSync('htpasswd', ['-Bbc', file, this.auth.user, this.auth.password], { stdio: 'ignore' });
      lines.push('auth:', '  htpasswd:', '    realm: evalhub-test', `    path: ${file}`);
    }
    if (this.auth.kind === 'token') {
      const realm = await this.startTokenService();
      lines.push('auth:', '  token:', `    realm: ${realm}`, '    service: evalhub-test-registry', '    issuer: evalhub-test-issuer', `    rootcertbundle: ${path.join(this.dir, 'token.crt')}`);
    }
    fs.writeFileSync(path.join(this.dir, 'config.yml'), lines.join('\n') + '\n');
    this.proc = spawn('docker-registry', ['serve', path.join(this.dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => this.output.push(String(d)));
    this.proc.stderr!.on('data', (d) => this.output.push(String(d)));
    await waitFor('docker-registry', async () => [200, 401].includes((await fetch(`http://${this.host}/v2/`).catch(() => undefined))?.status ?? 0), 20000, 100);
    return this;
  }

  /** A token service: Basic credentials in, a JWT granting the asked repository actions out. */
  private async startTokenService(): Promise<string> {
    const key = path.join(this.dir, 'token.key');
    const crt = path.join(this.dir, 'token.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=evalhub-test-issuer'], { stdio: 'ignore' });
    const der = new X509Certificate(fs.readFileSync(crt)).raw.toString('base64');
    const privateKey = fs.readFileSync(key);
    const b64 = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');
    const auth = this.auth as { user: string; password: string };
    this.tokenServer = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const scope = url.searchParams.get('scope');
      this.tokenRequests.push({ authorization: req.headers.authorization, scope });
      if (req.headers.authorization !== `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"wrong credentials"}');
        return;
      }
      const access = scope ? [{ type: 'repository', name: scope.split(':')[1], actions: scope.split(':')[2].split(',') }] : [];
      const now = Math.floor(Date.now() / 1000);
      const head = b64({ alg: 'RS256', typ: 'JWT', x5c: [der] });
      const claims = b64({ iss: 'evalhub-test-issuer', sub: auth.user, aud: 'evalhub-test-registry', exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access });
      const signature = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(privateKey);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `${head}.${claims}.${b64(signature)}`, expires_in: 300 }));
    });
    await new Promise<void>((r) => this.tokenServer!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.tokenServer.address() as AddressInfo).port}/token`;
  }

  /** An authenticated GET on the registry, as a client pulling would do it. */
  async get(pathname: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = accept ? { Accept: accept } : {};
    let res = await fetch(`http://${this.host}${pathname}`, { headers });
    if (res.status === 401 && this.auth.kind !== 'none') {
      const basic = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
      if (this.auth.kind === 'htpasswd') headers.Authorization = basic;
      else {
        const challenge = res.headers.get('www-authenticate') ?? '';
        const realm = /realm="([^"]+)"/.exec(challenge)![1];
        const scope = /scope="([^"]+)"/.exec(challenge)?.[1] ?? '';
        const t = (await (await fetch(`${realm}?service=evalhub-test-registry&scope=${encodeURIComponent(scope)}`, { headers: { Authorization: basic } })).json()) as { token: string };
        headers.Authorization = `Bearer ${t.token}`;
      }
      res = await fetch(`http://${this.host}${pathname}`, { headers });
    }
    return res;
  }

  async stop(): Promise<void> {
    this.proc?.kill('SIGTERM');
    await new Promise<void>((r) => (this.tokenServer ? this.tokenServer.close(() => r()) : r()));
  }
}
