import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, isListening, waitFor } from '../support/ports';
import { ROOT, TEST_ADAPTER } from '../support/service';

/** The README's run command (`npm start` = node dist/local.js) on a machine with no Redis running. */
describe('all-in-one start', () => {
  it('starts its own Redis and MLflow, runs a tracked job to completion, and stops everything on SIGTERM', async () => {
    const [redisPort, apiPort, workerPort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-local-'));
    const env: NodeJS.ProcessEnv = { ...process.env, API_PORT: String(apiPort), WORKER_PORT: String(workerPort), DATA_DIR: dataDir, EVALHUB_LOCAL_REDIS_PORT: String(redisPort) };
    delete env.REDIS_URL;
    let out = '';
    let mlflowPort = 0;
    const proc = spawn(process.execPath, [path.join(ROOT, 'dist', 'local.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    try {
      const base = `http://127.0.0.1:${apiPort}`;
      await waitFor('API', async () => (await fetch(`${base}/api/v1/health`)).ok, 30000);
      await waitFor('worker', async () => (await fetch(`http://127.0.0.1:${workerPort}/health/ready`)).ok, 30000);
      expect(out).toContain(`started redis-server on 127.0.0.1:${redisPort}`);
      expect(fs.existsSync(path.join(dataDir, 'redis'))).toBe(true);
      // The embedded MLflow says where it is, and answers there.
      const mlflowUrl = /MLflow: starting at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      expect(mlflowUrl).toBeDefined();
      await waitFor('MLflow', async () => (await fetch(`${mlflowUrl}/health`)).ok, 120000, 500);
      mlflowPort = Number(new URL(mlflowUrl!).port);

      const post = (p: string, body: object) => fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
      const provider = await post('/api/v1/evaluations/providers', {
        name: 'Example adapter',
        benchmarks: [{ id: 'alpha', name: 'Alpha', category: 'x', primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.5 } }],
        runtime: { local: { command: TEST_ADAPTER } },
      });
      const job = await post('/api/v1/evaluations/jobs', { name: 'first', model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: provider.resource.id }], experiment: { name: 'first-run' } });
      const done = await waitFor('job completed and recorded', async () => {
        const j = await fetch(`${base}/api/v1/evaluations/jobs/${job.resource.id}`).then((r) => r.json() as Promise<any>);
        return j.status.state === 'completed' && j.tracking?.state === 'synced' ? j : undefined;
      }, 60000);
      expect(done.results.test).toMatchObject({ pass: true });
      expect(done.results.mlflow_experiment_url).toMatch(new RegExp(`^${mlflowUrl}/#/experiments/\\d+/runs$`));
      // At the default level the start is short: one line per component, no framework chatter.
      const startLines = out.split('\n').filter((l) => l && !l.includes('INFO  [HTTP]'));
      expect(out).not.toContain('RouterExplorer');
      expect(out).not.toMatch(/DeprecationWarning|FastifyWarning/);
      expect(startLines.length).toBeLessThan(20);
    } finally {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await waitFor('Redis stopped', async () => !(await isListening(redisPort)), 10000);
    await waitFor('MLflow stopped', async () => !(await isListening(mlflowPort)), 15000);
    expect(await isListening(apiPort)).toBe(false);
  });

  it('when the launcher itself is killed (SIGKILL), the API and the worker go too', async () => {
    const [redisPort, apiPort, workerPort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-local-'));
    const env: NodeJS.ProcessEnv = { ...process.env, API_PORT: String(apiPort), WORKER_PORT: String(workerPort), DATA_DIR: dataDir, EVALHUB_LOCAL_REDIS_PORT: String(redisPort) };
    delete env.REDIS_URL;
    const proc = spawn(process.execPath, [path.join(ROOT, 'dist', 'local.js'), '--no-mlflow'], { env, stdio: 'ignore' });
    try {
      await waitFor('API', async () => (await fetch(`http://127.0.0.1:${apiPort}/api/v1/health`)).ok, 30000);
      await waitFor('worker', async () => (await fetch(`http://127.0.0.1:${workerPort}/health/ready`)).ok, 30000);
      proc.kill('SIGKILL');
      await waitFor('API gone', async () => !(await isListening(apiPort)), 15000);
      await waitFor('worker gone', async () => !(await isListening(workerPort)), 15000);
    } finally {
      // The Redis it started has no channel to notice; stop it here.
      spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave']);
    }
  });
});
