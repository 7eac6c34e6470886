import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeModel, startFakeModel, TASKS_DIR } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { EvalHubService, ROOT } from '../support/service';

// The `evalhub` CLI as a user runs it: in a real terminal (tmux) for the live view, and piped for
// scripts (--json, --csv, exit codes).

const CLI = path.join(ROOT, 'dist', 'cli.js');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** A tmux session: a real terminal whose screen the test reads as a user would see it. */
class Terminal {
  readonly name = `evalhub-cli-${process.pid}`;
  constructor() {
    execFileSync('tmux', ['new-session', '-d', '-s', this.name, '-x', '160', '-y', '40']);
  }
  type(line: string): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, line, 'Enter']);
  }
  screen(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name, '-S', '-200'], { encoding: 'utf8' });
  }
  close(): void {
    execFileSync('tmux', ['kill-session', '-t', this.name]);
  }
}

describe('evalhub CLI', () => {
  let svc: EvalHubService;
  let model: FakeModel;
  let env: Record<string, string>;
  let passing: string;
  let failing: string;
  let term: Terminal;

  beforeAll(async () => {
    // A model slow enough (150 ms a request) that the bars are seen moving.
    model = await startFakeModel({ delayMs: 150 });
    svc = new EvalHubService();
    await svc.start();
    env = { EVALHUB_URL: svc.baseUrl };
    const provider = (
      await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'Demo tasks',
        benchmarks: [
          { id: 'demo_mc', name: 'Demo multiple choice', category: 'reasoning', primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.4 } },
          { id: 'demo_gen', name: 'Demo generation', category: 'knowledge', primary_score: { metric: 'exact_match' }, pass_criteria: { threshold: 0.4 } },
        ],
        runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
      })
    ).body.resource.id;
    const collection = async (threshold: number) =>
      (
        await svc.request('POST', '/api/v1/evaluations/collections', {
          name: `Demo suite ${threshold}`,
          category: 'reasoning',
          pass_criteria: { threshold },
          benchmarks: [
            { id: 'demo_mc', provider_id: provider, weight: 2 },
            { id: 'demo_gen', provider_id: provider },
          ],
        })
      ).body.resource.id as string;
    passing = await collection(0.5);
    failing = await collection(0.9);
    term = new Terminal();
    term.type(`cd ${ROOT} && export EVALHUB_URL=${svc.baseUrl} && clear`);
  });
  afterAll(async () => {
    term?.close();
    await svc?.stop();
    await model?.close();
  });

  /** Runs a command line in the terminal; every screen seen until it printed EXIT=n, and n. */
  async function inTerminal(line: string): Promise<{ frames: string[]; code: number }> {
    const marker = `EXIT${Date.now()}=`;
    term.type(`clear; ${line}; echo ${marker}$?`);
    const frames: string[] = [];
    const screen = await waitFor(
      `'${line}' to end`,
      async () => {
        const s = term.screen();
        if (frames[frames.length - 1] !== s) frames.push(s);
        return new RegExp(`^${marker}\\d+`, 'm').test(s) ? s : undefined;
      },
      180000,
      100,
    );
    return { frames, code: Number(new RegExp(`^${marker}(\\d+)`, 'm').exec(screen)![1]) };
  }

  it('run --collection --wait shows moving progress bars and a results table, and exits 0 when the job passes', async () => {
    const { frames, code } = await inTerminal(`node dist/cli.js run --collection ${passing} --model-url ${model.url} --model-name fake-model --wait`);
    // The overall bar's percent as it was drawn in place (one job line per frame, redrawn).
    const percents = frames.map((f) => /\(\w{8}\)\s+\[[#.]+\]\s+(\d+)%/.exec(f)?.[1]).filter((p): p is string => p !== undefined).map(Number);
    expect(new Set(percents).size).toBeGreaterThanOrEqual(3);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const last = frames[frames.length - 1];
    // Redrawn, not appended: the final screen has one overall line.
    expect(last.match(/\(\w{8}\)\s+\[/g)).toHaveLength(1);
    expect(last).toMatch(/demo_mc\s+\[#{24}\]\s+100%\s+completed/);
    expect(last).toMatch(/BENCHMARK\s+PROVIDER\s+STATE\s+METRIC\s+SCORE\s+THRESHOLD\s+RESULT/);
    expect(last).toMatch(/demo_mc\s+\S+\s+completed\s+acc\s+0\.5000\s+0\.4000\s+PASS/);
    expect(last).toMatch(/weighted score 0\.5000 \(threshold 0\.5000.*\): PASS/);
    expect(code).toBe(0);
  }, 240000);

  it('exits 1 when the job misses its threshold, so `evalhub run --wait` can gate a pipeline', async () => {
    const { frames, code } = await inTerminal(`node dist/cli.js run --collection ${failing} --model-url ${model.url} --model-name fake-model --wait`);
    expect(frames[frames.length - 1]).toMatch(/weighted score 0\.5000 \(threshold 0\.9000.*\): FAIL/);
    expect(code).toBe(1);
  }, 240000);

  it('serves scripts: --json, --csv, search, status, logs, cancel and delete, with usable exit codes', async () => {
    const providers = await cli(['providers', '--json'], env);
    expect(providers.code).toBe(0);
    expect(JSON.parse(providers.out).map((p: any) => p.resource.id)).toEqual(expect.arrayContaining(['lm_evaluation_harness', 'garak']));
    const safety = JSON.parse((await cli(['providers', '--evaluates', 'red_teaming', '--json'], env)).out).map((p: any) => p.resource.id);
    expect(safety).toContain('garak');
    expect(safety).not.toContain('lm_evaluation_harness');
    const found = await cli(['benchmarks', '--provider', 'lm_evaluation_harness', '--search', 'hellaswag'], env);
    expect(found.out).toMatch(/^lm_evaluation_harness\s+hellaswag_ar\s+reasoning\s+acc_norm/m);
    expect(found.out).not.toMatch(/arc_easy/);

    const submitted = await cli(['run', '--collection', passing, '--model-url', model.url, '--model-name', 'fake-model', '--name', 'scripted'], env);
    const id = submitted.out.trim();
    expect([submitted.code, id]).toEqual([0, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    const status = JSON.parse((await cli(['status', id, '--json'], env)).out);
    expect(status.name).toBe('scripted');
    await svc.waitForState(id, ['completed'], 120000);
    const csv = await cli(['results', id, '--csv'], env);
    expect(csv.code).toBe(0);
    expect(csv.out.split('\n')[0]).toBe('benchmark,provider,state,metric,score,threshold,pass,verdict,error');
    expect(csv.out).toMatch(/^demo_mc,[^,]+,completed,acc,0\.5,0\.4,true,inconclusive,$/m);
    const results = JSON.parse((await cli(['results', id, '--json'], env)).out);
    expect(results.test).toMatchObject({ score: 0.5, pass: true });
    expect((await cli(['logs', id, '--tail', '5'], env)).out.trim().split('\n').length).toBeLessThanOrEqual(5);
    // -f follows the job's stream with its log lines; for a finished job it replays them and ends.
    const followed = await cli(['logs', id, '-f'], env);
    expect(followed.code).toBe(0);
    expect(followed.out).toMatch(/^\[evalhub\] /m);

    const adapter = await svc.createTestProvider();
    const slow = (await cli(['run', '-b', `${adapter}/alpha`, '-p', 'delay_ms=60000', '--model-url', 'http://m/v1', '--model-name', 'm'], env)).out.trim();
    const cancelled = await cli(['cancel', slow], env);
    expect([cancelled.code, cancelled.out.trim()]).toEqual([0, `cancelled ${slow}`]);
    expect((await cli(['delete', slow], env)).code).toBe(0);
    const gone = await cli(['status', slow], env);
    expect([gone.code, gone.err]).toEqual([3, expect.stringContaining('404 resource_not_found')]);

    // Usage errors are 64, an unreachable service 3, a job that failed 1.
    expect((await cli(['run', '--model-url', 'u', '--model-name', 'm'], env)).code).toBe(64);
    expect((await cli(['frobnicate'], env)).code).toBe(64);
    const down = await cli(['providers'], { EVALHUB_URL: 'http://127.0.0.1:9' });
    expect([down.code, down.err]).toEqual([3, expect.stringContaining('not reachable')]);
  }, 240000);

  it('reads the service from a config file when neither flags nor environment name it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-cli-config-'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ url: svc.baseUrl }));
    const r = await cli(['collections', '--json'], { EVALHUB_CONFIG: path.join(dir, 'config.json') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).map((c: any) => c.name)).toEqual(expect.arrayContaining(['Demo suite 0.5']));
    // A flag wins over the file.
    expect((await cli(['collections', '--url', 'http://127.0.0.1:9'], { EVALHUB_CONFIG: path.join(dir, 'config.json') })).code).toBe(3);
  });
});
