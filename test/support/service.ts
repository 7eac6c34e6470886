import { ChildProcess, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitFor } from './ports';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TEST_ADAPTER = `${process.execPath} ${path.join(ROOT, 'test', 'fixtures', 'test-adapter.js')}`;

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * The compiled service (dist/main.js and dist/worker.js) as real processes, isolated from other
 * suites by its own Redis key prefix, ports and data folder.
 */
export class EvalHubService {
  api?: ChildProcess;
  worker?: ChildProcess;
  /** An extra worker process a test may start (startWorker() returns it). */
  worker2?: ChildProcess;
  apiPort = 0;
  workerPort = 0;
  readonly prefix = `t${randomUUID().slice(0, 8)}`;
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-test-data-'));
  readonly output: string[] = [];

  /** With `auth: true`: a token file with one admin token, sent on every request by default. */
  readonly adminToken?: string;
  private readonly extraEnv: Record<string, string>;

  /** Where dist/ and config/ are (another folder laid out like the image, for its checks). */
  private readonly root: string;

  constructor(extraEnv: Record<string, string> = {}, opts: { auth?: boolean; tokens?: TokenEntry[]; root?: string } = {}) {
    this.extraEnv = { ...extraEnv };
    this.root = opts.root ?? ROOT;
    if (opts.auth || opts.tokens) {
      this.adminToken = `admin-${randomUUID()}`;
      const file = path.join(this.dataDir, 'tokens.json');
      fs.writeFileSync(file, JSON.stringify({ tokens: [{ token: this.adminToken, user: 'test-admin', tenants: '*', role: 'admin' }, ...(opts.tokens ?? [])] }));
      this.extraEnv.AUTH_TOKEN_FILE = file;
    }
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_PREFIX: this.prefix,
      API_PORT: String(this.apiPort),
      WORKER_PORT: String(this.workerPort),
      DATA_DIR: this.dataDir,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      QUEUE_LOCK_DURATION_MS: '3000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      SHUTDOWN_TIMEOUT_SECONDS: '3',
      // Suites that run the same tasks twice expect the model to be asked twice; the gateway's
      // response cache has its own suite (test/flows/model-gateway), which turns it on.
      EVALHUB_MODEL_CACHE: 'false',
      ...this.extraEnv,
    };
  }

  async start(opts: { worker?: boolean } = {}): Promise<this> {
    this.apiPort = await freePort();
    this.workerPort = await freePort();
    this.api = this.spawn('main.js');
    const api = this.api;
    // A bad setting ends the API at boot: say so at once instead of waiting out the timeout.
    let onExit: (() => void) | undefined;
    const exited = new Promise<never>((_, reject) => {
      onExit = () => reject(new Error(`the API exited with code ${api.exitCode}: ${this.output.slice(-5).join(' | ')}`));
      api.once('exit', onExit);
    });
    try {
      await Promise.race([waitFor('API health', async () => (await this.request('GET', '/api/v1/health')).status === 200, 30000), exited]);
    } finally {
      api.off('exit', onExit!);
    }
    if (opts.worker !== false) await this.startWorker();
    return this;
  }

  async startWorker(): Promise<ChildProcess> {
    this.worker = this.spawn('worker.js');
    const port = this.workerPort;
    await waitFor('worker health', async () => (await fetch(`http://127.0.0.1:${port}/health/live`)).status === 200, 30000);
    return this.worker;
  }

  /** Another worker process on its own probe port (the first stays in `worker`). */
  async startExtraWorker(): Promise<ChildProcess> {
    const port = await freePort();
    const child = this.spawn('worker.js', { WORKER_PORT: String(port) });
    await waitFor('extra worker health', async () => (await fetch(`http://127.0.0.1:${port}/health/live`)).status === 200, 30000);
    return child;
  }

  private spawn(entry: string, extra: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, [path.join(this.root, 'dist', entry)], { env: { ...this.env(), ...extra }, cwd: this.root, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer) => {
      this.output.push(...d.toString().split('\n').filter(Boolean));
      if (this.output.length > 5000) this.output.splice(0, this.output.length - 5000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    return child;
  }

  async stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 15000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.stopProcess(this.worker);
    await this.stopProcess(this.api);
  }

  async request<T = any>(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const withAuth: Record<string, string> = this.adminToken && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization') ? { Authorization: `Bearer ${this.adminToken}` } : {};
    const init: RequestInit = { method, headers: { ...withAuth, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${urlPath}`, init);
    const text = await res.text();
    let parsed: any = text;
    if (/^application\/(problem\+)?json\b/.test(res.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  /** A benchmark file through its download link (a result's `artifacts` value): its text. */
  async artifact(link: string, headers: Record<string, string> = {}): Promise<string> {
    if (typeof link !== 'string' || !link.startsWith('/api/v1/evaluations/jobs/')) throw new Error(`not an artifact link: ${link}`);
    const res = await this.request('GET', link, undefined, headers);
    if (res.status !== 200) throw new Error(`GET ${link} -> ${res.status} ${res.text.slice(0, 200)}`);
    return res.text;
  }

  /** Where the worker wrote a job's file of this name (the same machine in tests). */
  fileOnWorkerDisk(jobId: string, name: string): string | undefined {
    const walk = (dir: string): string | undefined => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          const found = walk(p);
          if (found) return found;
        } else if (e.name === name) return p;
      }
      return undefined;
    };
    const root = path.join(this.dataDir, 'jobs', jobId);
    return fs.existsSync(root) ? walk(root) : undefined;
  }

  /** Registers a tenant provider whose local command is the test adapter. */
  async createTestProvider(headers: Record<string, string> = {}, benchmarks = defaultTestBenchmarks()): Promise<string> {
    const res = await this.request(
      'POST',
      '/api/v1/evaluations/providers',
      { name: 'Test adapter', title: 'Test adapter', description: 'adapter used by tests', benchmarks, runtime: { local: { command: TEST_ADAPTER } } },
      headers,
    );
    if (res.status !== 201) throw new Error(`provider create failed: ${res.status} ${res.text}`);
    return res.body.resource.id;
  }

  /**
   * The callback URL the worker gave a benchmark's adapter (its JobSpec), which carries the run's
   * callback token: what a test posts to when it plays the adapter.
   */
  async callbackUrl(jobId: string, index: number, timeoutMs = 30000): Promise<string> {
    return waitFor(
      `JobSpec of job ${jobId} benchmark ${index}`,
      async () => {
        const base = path.join(this.dataDir, 'jobs', jobId, String(index));
        if (!fs.existsSync(base)) return undefined;
        for (const provider of fs.readdirSync(base)) {
          for (const bench of fs.readdirSync(path.join(base, provider))) {
            const spec = path.join(base, provider, bench, 'meta', 'job.json');
            if (fs.existsSync(spec)) return JSON.parse(fs.readFileSync(spec, 'utf8')).callback_url as string;
          }
        }
        return undefined;
      },
      timeoutMs,
      100,
    );
  }

  /** Posts a benchmark event the way the SDK's DefaultCallbacks does: to callback_url + the events path. */
  async postEvent(callbackUrl: string, jobId: string, event: object, headers: Record<string, string> = {}): Promise<HttpResult> {
    const res = await fetch(`${callbackUrl}/api/v1/evaluations/jobs/${jobId}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ benchmark_status_event: event }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
  }

  async waitForState(jobId: string, states: string[], timeoutMs = 60000, headers: Record<string, string> = {}): Promise<any> {
    return waitFor(
      `job ${jobId} in ${states.join('|')}`,
      async () => {
        const r = await this.request('GET', `/api/v1/evaluations/jobs/${jobId}`, undefined, headers);
        return states.includes(r.body?.status?.state) ? r.body : undefined;
      },
      timeoutMs,
      200,
    );
  }
}

export interface TokenEntry {
  token: string;
  user: string;
  tenants: string[] | '*';
  role: 'viewer' | 'submitter' | 'admin';
}

/** An adapter that reports nothing and waits to be stopped: the test plays the adapter instead. */
export const SILENT_ADAPTER = `${process.execPath} -e "setInterval(() => {}, 1000)"`;

export function defaultTestBenchmarks() {
  return [
    { id: 'alpha', name: 'Alpha', category: 'reasoning', metrics: ['acc'], primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.5 } },
    { id: 'beta', name: 'Beta', category: 'math', metrics: ['acc'], primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.5 } },
    { id: 'gamma', name: 'Gamma', category: 'safety', metrics: ['rate'], primary_score: { metric: 'rate', lower_is_better: true }, pass_criteria: { threshold: 0.3 } },
  ];
}
