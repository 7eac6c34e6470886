import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MlflowServer } from '../support/mlflow-server';
import { freePort } from '../support/ports';
import { venvDir } from '../support/python';
import { EvalHubService, ROOT } from '../support/service';

const OFFLINE = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };

/** The README's "Try it end to end" commands, as a user pastes them (only the ports differ). */
function readmeDemo(apiPort: number, modelPort: number): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Try it end to end'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)![1];
  return block.replace(/localhost:8080/g, `localhost:${apiPort}`).replace(/8555/g, String(modelPort));
}

function runBash(script: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // The demo starts the test model in the background; it goes when the demo is done.
    const child = spawn('bash', ['-c', `${script}\nkill $! 2>/dev/null || true`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("the README's demo, pasted as it is", () => {
  const mlflow = new MlflowServer();
  let svc: EvalHubService;

  beforeAll(async () => {
    await mlflow.start();
    svc = new EvalHubService({ MLFLOW_TRACKING_URI: mlflow.url, EVALHUB_PYTHON_VENV: venvDir(), ...OFFLINE });
    await svc.start();
  }, 180000);
  afterAll(async () => {
    await svc?.stop();
    await mlflow.stop();
  });

  it('runs offline to a completed job with metrics, files, an MLflow link to its runs, and a scored collection', async () => {
    const t0 = Date.now();
    const { code, out } = await runBash(readmeDemo(svc.apiPort, await freePort()), 300000);
    console.log(`README demo took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect([code, out.slice(-2000)]).toEqual([0, expect.any(String)]);
    const lines = out.split('\n');
    // The live stream: progress while it ran (the test model answers at once, so it may jump from
    // 0 to 1), and it ended completed with the weighted test.
    const streamed = lines.filter((l) => l.startsWith('{"state"') && l.includes('"percent"')).map((l) => JSON.parse(l));
    expect(streamed.some((e) => e.state === 'running' && e.benchmarks.some((b: any) => typeof b.progress === 'number' && b.done <= b.of))).toBe(true);
    expect(streamed[streamed.length - 1]).toMatchObject({ state: 'completed', percent: 100, test: { pass: expect.any(Boolean) } });
    // The job with its metrics and the MLflow link to the experiment's runs.
    const job = JSON.parse(out.slice(out.indexOf('{\n  "state": "completed"'), out.indexOf('}\n', out.indexOf('"mlflow"')) + 1));
    expect(job.metrics[0]).toMatchObject({ acc: expect.any(Number), acc_norm: expect.any(Number) });
    expect(job.metrics[1]).toMatchObject({ exact_match: expect.any(Number) });
    expect(job.mlflow).toMatch(new RegExp(`^${mlflow.url}/#/experiments/\\d+/runs$`));
    // Its files, then the collection's weighted score.
    expect(lines.some((l) => /^samples_demo_mc_\S+\.jsonl \d+$/.test(l))).toBe(true);
    const suite = JSON.parse(lines.find((l) => l.startsWith('{"state":"completed","score"'))!);
    expect(suite.score).toMatchObject({ threshold: 0.5, pass: expect.any(Boolean), score: expect.any(Number) });
  });
});
