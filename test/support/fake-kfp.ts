import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitFor } from './ports';
import { ROOT } from './service';

/** The kfp environment setup builds (python/kfp-requirements.txt): the fake runs on the real kfp-pipeline-spec. */
export function kfpPython(): string {
  const file = path.join(ROOT, '.data', 'kfp-venv-path');
  if (!fs.existsSync(file)) throw new Error('the kfp environment is missing: run bash scripts/setup-python.sh (npm test builds it)');
  return path.join(fs.readFileSync(file, 'utf8').trim(), 'bin', 'python');
}

export interface FakeKfpCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
}

/**
 * test/support/fake-kfp/fake_kfp.py as a process: KFP's v2beta1 REST API over HTTPS (a
 * self-signed certificate, the CA at `caPath`) with a bearer token, executing each run's
 * container as a local process in the folder its image maps to.
 */
export class FakeKfp {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-fake-kfp-'));
  readonly caPath = path.join(this.dir, 'ca.crt');
  readonly token = `kfp-token-${Math.random().toString(36).slice(2)}`;
  port = 0;
  private proc?: ChildProcess;
  readonly output: string[] = [];

  constructor(private readonly images: Record<string, string>) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const key = path.join(this.dir, 'tls.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', this.caPath, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    this.port = await freePort();
    const args = [path.join(ROOT, 'test', 'support', 'fake-kfp', 'fake_kfp.py'), '--port', String(this.port), '--token', this.token, '--tls-cert', this.caPath, '--tls-key', key, '--work-dir', path.join(this.dir, 'runs')];
    for (const [image, dir] of Object.entries(this.images)) args.push('--image', `${image}=${dir}`);
    this.proc = spawn(kfpPython(), args, { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => this.output.push(String(d)));
    this.proc.stderr!.on('data', (d) => this.output.push(String(d)));
    await waitFor('fake KFP', async () => this.output.join('').includes('listening'), 30000, 100);
    return this;
  }

  /** GET on the fake over its TLS: a test-only route, or an API route with the token. */
  private async get<T>(route: string, token?: string): Promise<T> {
    const https = await import('https');
    return new Promise<T>((resolve, reject) => {
      https
        .get(`${this.url}${route}`, { ca: fs.readFileSync(this.caPath), headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(JSON.parse(text) as T));
        })
        .on('error', reject);
    });
  }

  calls(): Promise<FakeKfpCall[]> {
    return this.get('/fake/calls');
  }

  async runOutput(runId: string): Promise<string> {
    return (await this.get<{ output: string }>(`/fake/runs/${runId}/output`)).output;
  }

  /** A run as the API answers it. */
  run(runId: string): Promise<any> {
    return this.get(`/apis/v2beta1/runs/${runId}`, this.token);
  }

  async stop(): Promise<void> {
    this.proc?.kill('SIGTERM');
  }
}
