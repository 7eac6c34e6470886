import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, isListening, waitFor } from '../support/ports';
import { EvalHubService, ROOT } from '../support/service';
import { isAlive } from '../flows/process-helpers';

/** A Redis of this suite's own, so it can be stopped and started again. */
class OwnRedis {
  port = 0;
  proc?: ChildProcess;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-own-redis-'));
  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
    await waitFor('redis', () => isListening(this.port), 10000);
  }
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
}

function metricNames(text: string): Set<string> {
  return new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
}

function value(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '))
    .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((acc, l) => acc + Number(l.split(' ').pop()), 0);
}

describe('operations: metrics, dashboard, probes, logs, shutdown', () => {
  const redis = new OwnRedis();
  let svc: EvalHubService;
  let provider: string;

  beforeAll(async () => {
    await redis.start();
    svc = new EvalHubService({ REDIS_URL: `redis://127.0.0.1:${redis.port}`, LOG_LEVEL: 'debug', SHUTDOWN_TIMEOUT_SECONDS: '2' });
    await svc.start();
    provider = await svc.createTestProvider();
  });
  afterAll(async () => {
    await svc.stop();
    await redis.stop();
  });

  const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  /** Runs one job to the end (with a request id) and waits until the worker observed its run. */
  const completeOneJob = async (requestId: string): Promise<string> => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'm', model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: provider }] }, { 'X-Global-Transaction-Id': requestId });
    await svc.waitForState(res.body.resource.id, ['completed']);
    await waitFor('run duration observed', async () => value(await scrape(svc.workerPort), 'evalhub_benchmark_run_duration_seconds_count', { executor: 'local-process' }) >= 1, 10000);
    return res.body.resource.id;
  };

  it('exports metrics on API and worker that move during a real job', async () => {
    const beforeApi = await scrape(svc.apiPort);
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'm', model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: provider }] }, { 'X-Global-Transaction-Id': 'req-metrics-1' });
    await svc.waitForState(res.body.resource.id, ['completed']);
    const api = await scrape(svc.apiPort);
    // The run's duration is observed when the adapter process has exited, just after its last event.
    const worker = await waitFor('run duration observed', async () => {
      const text = await scrape(svc.workerPort);
      return value(text, 'evalhub_benchmark_run_duration_seconds_count', { executor: 'local-process' }) >= 1 ? text : undefined;
    }, 10000);
    expect(value(api, 'evalhub_jobs_submitted_total', { provider: 'tenant' })).toBe(value(beforeApi, 'evalhub_jobs_submitted_total', { provider: 'tenant' }) + 1);
    expect(value(api, 'evalhub_callback_events_total', { result: 'accepted' })).toBeGreaterThanOrEqual(3);
    expect(value(api, 'evalhub_http_requests_total', { route: '/api/v1/evaluations/jobs', status: '202' })).toBeGreaterThanOrEqual(1);
    expect(value(api, 'evalhub_jobs_finished_total', { state: 'completed' }) + value(worker, 'evalhub_jobs_finished_total', { state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(value(worker, 'evalhub_benchmark_run_duration_seconds_count', { executor: 'local-process' })).toBeGreaterThanOrEqual(1);
    expect(metricNames(worker).has('evalhub_queue_jobs')).toBe(true);
    expect(value(worker, 'evalhub_queue_workers', { queue: 'benchmark-runs' })).toBeGreaterThanOrEqual(1);
    expect(metricNames(api).has('process_resident_memory_bytes')).toBe(true);
  });

  it('every metric the Grafana dashboard queries exists in a live scrape', async () => {
    await completeOneJob('req-grafana-1'); // labelled series exist once something was counted
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy', 'grafana', 'evalhub-dashboard.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    const referenced = new Set(exprs.flatMap((e) => e.match(/\b(evalhub|process|nodejs)_[a-z0-9_]+/g) ?? []));
    expect(referenced.size).toBeGreaterThan(8);
    const live = new Set([...metricNames(await scrape(svc.apiPort)), ...metricNames(await scrape(svc.workerPort))]);
    expect([...referenced].filter((m) => !live.has(m))).toEqual([]);
  });

  it('writes JSON log lines with the request id, and the job id and benchmark index in the worker', async () => {
    const id = await completeOneJob('req-logs-1');
    const lines = svc.output.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(5);
    const req = lines.find((l) => l.request_id === 'req-logs-1' && /POST \/api\/v1\/evaluations\/jobs -> 202/.test(l.msg));
    expect(req).toMatchObject({ level: 'debug', service: 'evalhub-api' });
    const run = lines.find((l) => l.service === 'evalhub-worker' && l.job_id === id && /running alpha with local-process/.test(l.msg));
    expect(run).toMatchObject({ job_id: id, benchmark_index: '0' });
  });

  it('readiness turns 503 while Redis is down and back to 200 after; liveness stays 200', async () => {
    for (const port of [svc.apiPort, svc.workerPort]) expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    await redis.stop();
    for (const port of [svc.apiPort, svc.workerPort]) {
      await waitFor('not ready', async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 503, 15000, 250);
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    }
    const down = await svc.request('GET', '/api/v1/evaluations/jobs');
    expect(down.status).toBe(503);
    expect(down.body.message_code).toBe('service_unavailable');
    await redis.start();
    for (const port of [svc.apiPort, svc.workerPort]) {
      await waitFor('ready again', async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200, 30000, 250);
    }
    expect((await svc.request('GET', '/api/v1/evaluations/jobs')).status).toBe(200);
  });

  it('a stopping worker hands its run back, leaves no process, and the job still completes', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'shutdown',
      model: { url: 'http://m/v1', name: 'm' },
      benchmarks: [{ id: 'alpha', provider_id: provider, parameters: { delay_ms: 6000 } }],
    });
    const id = res.body.resource.id;
    const pidFile = path.join(svc.dataDir, 'jobs', id, '0', provider, 'alpha', 'meta', 'job.json.pid');
    const pid = await waitFor('adapter pid', async () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : undefined), 30000);
    const t0 = Date.now();
    await svc.stopProcess(svc.worker, 'SIGTERM');
    expect(svc.worker!.exitCode ?? svc.worker!.signalCode).not.toBeNull();
    expect(Date.now() - t0).toBeLessThan(12000);
    await waitFor('adapter gone', async () => !isAlive(pid), 3000);
    await svc.startWorker();
    const job = await svc.waitForState(id, ['completed', 'failed'], 90000);
    expect(job.status.state).toBe('completed');
  });

  it('a job running while Redis crashes and comes back (append-only file) still completes, once', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'redis crash',
      model: { url: 'http://m/v1', name: 'm' },
      benchmarks: [{ id: 'alpha', provider_id: provider, parameters: { delay_ms: 8000 } }],
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    await svc.waitForState(id, ['running'], 30000);
    await redis.stop();
    // Back only once the worker has seen the outage (its readiness probe fails on Redis).
    await waitFor('worker not ready', async () => (await fetch(`http://127.0.0.1:${svc.workerPort}/health/ready`)).status === 503, 15000, 100);
    await redis.start();
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 90000);
    if (job.status.state !== 'completed') throw new Error(JSON.stringify(job.status) + (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs`)).text);
    expect(job.results.benchmarks).toHaveLength(1);
    expect(job.results.benchmarks[0].metrics).toEqual({ acc: 0.7, acc_norm: 0.66 });
  });

  it("an adapter's completion sent while Redis is down is held until Redis is back, not lost", async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'callback during outage',
      model: { url: 'http://m/v1', name: 'm' },
      benchmarks: [{ id: 'alpha', provider_id: provider, parameters: { delay_ms: 2500 } }],
    });
    const id = res.body.resource.id;
    await svc.waitForState(id, ['running'], 30000);
    await redis.stop();
    // The adapter reports "completed" about 2.5 s from now, into the outage: its log file on the
    // worker's disk (written at once, unlike the Redis stream) shows the request going out.
    await waitFor('the completion posted during the outage', async () => {
      const log = svc.fileOnWorkerDisk(id, 'jobrun.log');
      return log !== undefined && fs.readFileSync(log, 'utf8').includes('posting completed');
    }, 20000, 100);
    expect((await fetch(`http://127.0.0.1:${svc.workerPort}/health/ready`)).status).toBe(503);
    await redis.start();
    const job = await svc.waitForState(id, ['completed', 'failed'], 60000);
    expect(job.status.state).toBe('completed');
    // Held, not lost: the one run's callback went through (no second run was needed), and the
    // lines written while Redis was away reach the log stream once the worker reconnects.
    const logs = await waitFor('the completion line in the logs', async () => {
      const text = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs`)).text;
      return text.includes('[evalhub] adapter exited') ? text : undefined;
    }, 20000, 250);
    expect(logs).toContain('posted completed: HTTP 204');
    expect(logs.split('[evalhub] running benchmark alpha').length - 1).toBe(1);
  });
});
