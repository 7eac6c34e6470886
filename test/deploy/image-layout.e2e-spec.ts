import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EvalHubService, ROOT } from '../support/service';

/**
 * The image cannot be built here (no base images without network), so its runtime stage is laid
 * out by hand exactly as the Containerfile copies it: production dependencies only
 * (`npm ci --omit=dev`), dist/ (service and dashboard), package.json and config/. The entry
 * points must start from that folder: a runtime import of a dev dependency fails here.
 */
function runtimeCopies(): string[] {
  const lines = fs.readFileSync(path.join(ROOT, 'Containerfile'), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^FROM\s+\S+\s+AS\s+runtime\s*$/i.test(l));
  const copies: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (/^FROM\s/i.test(l)) break;
    const m = /^COPY\s+(?:--from=\S+\s+)?\/?(?:app\/)?(\S+)\s+\S+$/i.exec(l.trim());
    if (m) copies.push(m[1].replace(/^\.\//, ''));
  }
  return copies;
}

describe('the image layout, without the image', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-image-'));
  let svc: EvalHubService;

  beforeAll(() => {
    const copies = runtimeCopies();
    expect(copies.sort()).toEqual(['config', 'dist', 'node_modules', 'package.json']);
    for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    const ci = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, encoding: 'utf8', timeout: 300000 });
    if (ci.status !== 0) throw new Error(`npm ci --omit=dev failed: ${ci.stderr.slice(-2000)}`);
    for (const d of ['dist', 'config']) fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
    fs.rmSync(path.join(dir, 'package-lock.json'));
    svc = new EvalHubService({}, { root: dir });
  }, 360000);
  afterAll(async () => {
    await svc?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has no dev dependency at run time', () => {
    // (typescript itself comes in as a dependency of Bull Board's valibot; it is not loaded.)
    for (const dev of ['jest', 'ts-jest', '@nestjs/cli', 'esbuild', 'preact', 'chart.js', 'playwright-core', 'eslint']) expect([dev, fs.existsSync(path.join(dir, 'node_modules', dev))]).toEqual([dev, false]);
  });

  it('the API and the worker start from it and serve the API, the docs and the dashboard', async () => {
    await svc.start();
    expect((await svc.request('GET', '/api/v1/evaluations/providers/lm_evaluation_harness')).status).toBe(200);
    expect((await svc.request('GET', '/openapi.json')).status).toBe(200);
    const page = await fetch(`${svc.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script src="\/ui\/app\.[A-Za-z0-9]+\.js"/);
    expect((await fetch(`http://127.0.0.1:${svc.workerPort}/health/ready`)).status).toBe(200);
  });
});
