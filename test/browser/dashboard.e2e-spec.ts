import * as fs from 'fs';
import * as path from 'path';
import { chromium, Browser, Page } from 'playwright-core';
import { FakeModel, startFakeModel, TASKS_DIR } from '../support/fake-model';
import { venvDir } from '../support/python';
import { EvalHubService, ROOT, SILENT_ADAPTER } from '../support/service';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OFFLINE = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };
const SHOTS = path.join(ROOT, '.data', 'screenshots');
const TERMINAL = ['completed', 'failed', 'cancelled', 'partially_failed'];

function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Painted pixels of a canvas (Chart.js draws on a transparent one). */
function paintedPixels(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (canvas: any) => {
    const data: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}

/**
 * A screenshot that shows something: a PNG of real size with many colours (a blank or error page
 * has a handful). The colours are counted by decoding the file in the browser.
 */
async function assertRichScreenshot(browser: Browser, file: string): Promise<void> {
  const png = fs.readFileSync(file);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.length).toBeGreaterThan(30000);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect(width).toBeGreaterThanOrEqual(1000);
  expect(height).toBeGreaterThanOrEqual(600);
  const page = await browser.newPage();
  // Runs in the page (the tests compile without DOM types, hence the untyped globals).
  const colours = await page.evaluate(async (src) => {
    const w = globalThis as any;
    const img = new w.Image();
    img.src = src;
    await img.decode();
    const c = w.document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d: Uint8ClampedArray = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 16) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  }, `data:image/png;base64,${png.toString('base64')}`);
  await page.close();
  expect(colours).toBeGreaterThan(50);
}

/** Fills the submit form for demo_mc of the test provider and submits it; returns the job id. */
async function submitThroughForm(page: Page, opts: { name: string; modelUrl: string; provider: string; numExamples?: number }): Promise<string> {
  await page.click('[data-testid=nav-submit]');
  await page.waitForSelector('[data-testid=submit-form]');
  await page.fill('[data-testid=submit-name]', opts.name);
  await page.fill('[data-testid=submit-model-url]', opts.modelUrl);
  await page.fill('[data-testid=submit-model-name]', 'fake-model');
  await page.waitForSelector(`[data-testid=submit-provider] option[value="${opts.provider}"]`, { state: 'attached' });
  await page.selectOption('[data-testid=submit-provider]', opts.provider);
  await page.selectOption('[data-testid=submit-benchmark]', 'demo_mc');
  await page.click('[data-testid=add-benchmark]');
  await page.waitForSelector('[data-testid=picked-benchmark][data-benchmark-id=demo_mc]');
  if (opts.numExamples !== undefined) {
    await page.click('[data-testid=add-param]');
    await page.fill('[data-testid=param-key]', 'num_examples');
    await page.fill('[data-testid=param-value]', String(opts.numExamples));
  }
  // The request is shown before it is sent, as curl and as SDK code.
  const curl = await page.textContent('[data-testid=curl-snippet]');
  expect(curl).toContain('/api/v1/evaluations/jobs');
  expect(curl).toContain('"demo_mc"');
  const python = (await page.textContent('[data-testid=python-snippet]'))!;
  expect(python).toContain('from evalhub.client import SyncEvalHubClient');
  expect(python).toContain(`BenchmarkConfig(id="demo_mc", provider_id="${opts.provider}"`);
  if (opts.numExamples !== undefined) expect(python).toContain(`"num_examples": ${opts.numExamples}`);
  await page.click('[data-testid=submit-button]');
  const link = await page.waitForSelector('[data-testid=submitted-job-link]', { timeout: 15000 });
  const id = (await link.getAttribute('data-job-id'))!;
  expect(id).toBeTruthy();
  // ... and still shown after.
  expect(await page.textContent('[data-testid=curl-snippet]')).toContain('"demo_mc"');
  return id;
}

/** The dashboard in a real browser against the real service, worker and lm-eval (fake model). */
describe('web dashboard in a browser', () => {
  let fake: FakeModel;
  let svc: EvalHubService;
  let browser: Browser;
  let page: Page;
  let provider: string;
  let firstJob: string;
  const errors: string[] = [];

  beforeAll(async () => {
    // ~0.4 s per log-likelihood request: demo_mc's 30 requests take ~12 s, so progress is visible.
    fake = await startFakeModel({ delayMs: 400 });
    svc = new EvalHubService({ EVALHUB_PYTHON_VENV: venvDir(), ...OFFLINE });
    await svc.start();
    const res = await svc.request('POST', '/api/v1/evaluations/providers', {
      name: 'Offline lm-eval tasks',
      title: 'Offline lm-eval tasks',
      benchmarks: [{ id: 'demo_mc', name: 'Demo multiple choice', category: 'reasoning', primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.5 } }],
      runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
    });
    expect(res.status).toBe(201);
    provider = res.body.resource.id;
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await fake?.close();
  });

  /**
   * The finished first job, open on its page. The form test below makes it; a test run on its
   * own (jest -t) submits the same job through the API instead.
   */
  const openFinishedJob = async (): Promise<string> => {
    if (!firstJob) {
      const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'dashboard run 1', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'demo_mc', provider_id: provider, parameters: { num_examples: 10 } }] });
      expect(res.status).toBe(202);
      firstJob = res.body.resource.id;
    }
    expect((await svc.waitForState(firstJob, TERMINAL, 150000)).status.state).toBe('completed');
    if (!page.url().endsWith(`#/jobs/${firstJob}`)) await page.goto(`${svc.baseUrl}/#/jobs/${firstJob}`);
    await page.waitForSelector(`[data-testid=job-page][data-job-id="${firstJob}"][data-state=completed]`);
    return firstJob;
  };

  it('is served at / and /ui without credentials, with cache headers, and stays out of the API document', async () => {
    for (const p of ['/', '/ui']) {
      const res = await fetch(svc.baseUrl + p);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    const html = await (await fetch(svc.baseUrl + '/ui')).text();
    const js = /src="(\/ui\/app\.[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(js).toBeDefined();
    const asset = await fetch(svc.baseUrl + js);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const again = await fetch(svc.baseUrl + js, { headers: { 'if-none-match': asset.headers.get('etag')! } });
    expect(again.status).toBe(304);
    // Only the bundle's files: not the compiled server code that shares dist/dashboard.
    expect((await fetch(`${svc.baseUrl}/ui/dashboard.controller.js`)).status).toBe(404);
    const doc = (await svc.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/ui'))).toEqual([]);
  });

  it('submits a job through the form and shows its progress moving, live', async () => {
    await page.goto(`${svc.baseUrl}/`);
    expect(await page.title()).toBe('EvalHub');
    await page.waitForSelector('[data-testid=jobs-page]');
    // num_examples 10 is all of demo_mc: the same parameters as the second run, so the two compare.
    firstJob = await submitThroughForm(page, { name: 'dashboard run 1', modelUrl: fake.url, provider, numExamples: 10 });
    await page.click('[data-testid=submitted-job-link]');
    await page.waitForSelector(`[data-testid=job-page][data-job-id="${firstJob}"]`);

    // Read the bar from the DOM while the job runs (it is fed by the job's event stream).
    const seen: number[] = [];
    const counts = new Set<string>();
    let state = '';
    const deadline = Date.now() + 150000;
    while (Date.now() < deadline) {
      const snap = await page.evaluate(() => {
        const doc = (globalThis as any).document;
        const row = '[data-testid=benchmark-progress][data-index="0"]';
        return {
          state: (doc.querySelector('[data-testid=job-page]')?.getAttribute('data-state') ?? '') as string,
          progress: (doc.querySelector(`${row} [data-testid=benchmark-bar]`)?.getAttribute('data-progress') ?? '') as string,
          count: (doc.querySelector(`${row} [data-testid=benchmark-count]`)?.textContent ?? '') as string,
        };
      });
      state = snap.state;
      if (TERMINAL.includes(state)) break;
      if (snap.progress !== '' && seen[seen.length - 1] !== Number(snap.progress)) seen.push(Number(snap.progress));
      if (/^\d+\/\d+ \w+$/.test(snap.count)) counts.add(snap.count);
      await page.waitForTimeout(150);
    }
    expect(state).toBe('completed');
    const distinct = [...new Set(seen)];
    expect({ distinct: distinct.length >= 3, seen }).toEqual({ distinct: true, seen });
    // Never backwards, always a share.
    expect(seen.every((v, i) => v >= 0 && v <= 1 && (i === 0 || v >= seen[i - 1]))).toBe(true);
    // "12/30 requests": the count of the contract, at least once while it ran.
    expect(counts.size).toBeGreaterThan(0);
    expect(await page.getAttribute('[data-testid=job-progress]', 'data-progress')).toBe('1');
  });

  it('shows the results table, the score chart and the log tail of the finished job', async () => {
    await openFinishedJob();
    await page.waitForSelector('[data-testid=results-table]');
    const acc = await page.waitForSelector('[data-testid=result][data-index="0"] [data-testid=metric-row][data-metric=acc]');
    expect(await acc.getAttribute('class')).toContain('primary');
    const api = (await svc.request('GET', `/api/v1/evaluations/jobs/${firstJob}`)).body;
    const value = api.results.benchmarks[0].metrics.acc;
    expect(Number(await (await acc.$('[data-testid=metric-value]'))!.textContent())).toBeCloseTo(value, 3);
    // acc_stderr is shown beside acc, not as a row of its own.
    expect(await acc.textContent()).toContain('±');
    expect(await page.$('[data-testid=metric-row][data-metric=acc_stderr]')).toBeNull();
    // ... and becomes the 95% interval (lm-eval reports acc_stderr, so statistics.acc exists), with n.
    const stats = api.results.benchmarks[0].statistics.acc;
    const ci = (await acc.$('[data-testid=metric-ci]'))!;
    expect(Number(await ci.getAttribute('data-low'))).toBeCloseTo(stats.ci95[0], 9);
    expect(Number(await ci.getAttribute('data-high'))).toBeCloseTo(stats.ci95[1], 9);
    expect(await ci.textContent()).toMatch(/^\[-?[\d.]+, [\d.]+\]/);
    if (stats.n !== undefined) expect(await ci.textContent()).toContain(`n=${stats.n}`);
    // The test's verdict from that interval, beside the plain pass/fail: on the benchmark and on the weighted score.
    const verdict = api.results.benchmarks[0].test.verdict;
    expect(['pass', 'fail', 'inconclusive']).toContain(verdict);
    expect(await page.getAttribute('[data-testid=result][data-index="0"] h4 [data-testid=verdict]', 'data-verdict')).toBe(verdict);
    expect(await acc.$(`[data-testid=verdict][data-verdict=${verdict}]`)).not.toBeNull();
    expect(await page.getAttribute('[data-testid=job-score] [data-testid=verdict]', 'data-verdict')).toBe(api.results.test.verdict);
    expect(await page.textContent('[data-testid=job-score-ci]')).toMatch(/95% \[-?[\d.]+, [\d.]+\]/);
    await page.waitForSelector('[data-testid=scores-chart][data-drawn=true]');
    expect(await paintedPixels(page, '[data-testid=scores-chart]')).toBeGreaterThan(2000);
    expect(await page.textContent('[data-testid=log-tail]')).toContain('lm-eval');
    const shot = path.join(SHOTS, 'dashboard-job.png');
    await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(`dashboard screenshot: ${shot}\n`);
    await assertRichScreenshot(browser, shot);
    expect(errors).toEqual([]);
  });

  it('downloads an artifact of the finished job through its link', async () => {
    await openFinishedJob();
    const link = await page.waitForSelector('[data-testid=artifacts][data-index="0"] [data-testid=artifact-link]', { timeout: 15000 });
    const name = (await link.getAttribute('data-name'))!;
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(name);
    const file = path.join(SHOTS, `artifact-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`);
    await download.saveAs(file);
    // The same bytes the API serves for that artifact.
    const list = (await svc.request('GET', `/api/v1/evaluations/jobs/${firstJob}/benchmarks/0/artifacts`)).body;
    const item = list.items.find((i: any) => i.name === name);
    const direct = await fetch(svc.baseUrl + item.url);
    expect(fs.readFileSync(file)).toEqual(Buffer.from(await direct.arrayBuffer()));
    expect(fs.statSync(file).size).toBeGreaterThan(0);
  });

  it("holds the finished job against a release gate, as the API's gate route does", async () => {
    await openFinishedJob();
    const job = (await svc.request('GET', `/api/v1/evaluations/jobs/${firstJob}`)).body;
    const b = job.results.benchmarks[0];
    const gate = await svc.request('POST', '/api/v1/evaluations/gates', { name: 'dashboard gate', rules: [{ benchmark: { provider_id: b.provider_id, id: b.id }, min_score: 0.1 }, { min_score: 0.9 }] });
    expect(gate.status).toBe(201);
    await page.reload();
    await page.waitForSelector('[data-testid=gate-panel] option', { state: 'attached' });
    await page.selectOption('[data-testid=gate-select]', gate.body.resource.id);
    await page.click('[data-testid=gate-evaluate]');
    const shown = await page.waitForSelector('[data-testid=gate-result]');
    const expected = (await svc.request('GET', `/api/v1/evaluations/jobs/${firstJob}/gate/${gate.body.resource.id}`)).body;
    expect(await shown.getAttribute('data-decision')).toBe(expected.decision);
    for (const rule of expected.rules) expect(await shown.textContent()).toContain(rule.reason);
  });

  it('submits a second job and compares the two with the API: difference, test, outcome and Holm summary', async () => {
    await openFinishedJob();
    const second = await submitThroughForm(page, { name: 'dashboard run 2', modelUrl: fake.url, provider, numExamples: 10 });
    const done = await svc.waitForState(second, TERMINAL, 150000);
    expect(done.status.state).toBe('completed');
    await page.click('[data-testid=nav-compare]');
    await page.click(`[data-testid=compare-candidate][data-job-id="${firstJob}"] input`);
    await page.click(`[data-testid=compare-candidate][data-job-id="${second}"] input`);
    await page.waitForSelector(`[data-testid=comparison][data-candidate-id="${second}"] [data-testid=compare-table]`);
    const row = await page.waitForSelector(`[data-testid=compare-row][data-benchmark="${provider}/demo_mc"][data-metric=acc]`);
    const cells = await row.$$('[data-testid=compare-cell]');
    expect(cells).toHaveLength(2);
    const first = (await svc.request('GET', `/api/v1/evaluations/jobs/${firstJob}`)).body.results.benchmarks[0].metrics.acc;
    const delta = Number(await (await row.$('[data-testid=compare-delta]'))!.getAttribute('data-delta'));
    expect(delta).toBeCloseTo(done.results.benchmarks[0].metrics.acc - first, 6);
    // Test, outcome and summary are the API's (same model, same data: no significant change).
    const cmp = (await svc.request('GET', `/api/v1/evaluations/jobs/compare?baseline=${firstJob}&candidate=${second}`)).body.comparisons[0];
    const bench = cmp.benchmarks.find((b: any) => b.id === 'demo_mc');
    const primary = bench.metrics.find((m: any) => m.primary);
    expect(await (await row.$('[data-testid=compare-test]'))!.getAttribute('data-test')).toBe(primary.test);
    if (primary.p_value !== undefined) expect(await (await row.$('[data-testid=compare-p]'))!.textContent()).toContain('Holm');
    const outcome = (await row.$('[data-testid=compare-outcome]'))!;
    expect(await outcome.getAttribute('data-outcome')).toBe(bench.outcome);
    expect(await outcome.textContent()).toBe('no significant change');
    const summary = (await page.textContent(`[data-testid=comparison][data-candidate-id="${second}"] [data-testid=compare-summary]`))!;
    expect(summary).toBe('1 unchanged, Holm-corrected at α = 0.05');
    expect(cmp.summary).toMatchObject({ no_significant_change: 1, correction: 'holm', alpha: 0.05 });
    await page.waitForSelector('[data-testid=compare-chart][data-drawn=true]');
    const shot = path.join(SHOTS, 'dashboard-compare.png');
    await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(`dashboard screenshot: ${shot}\n`);
    await assertRichScreenshot(browser, shot);

    // When the comparison call fails: its error, and the metrics side by side (computed in the page) instead.
    await page.route('**/api/v1/evaluations/jobs/compare?*', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ message_code: 'service_unavailable', message: 'comparison down for the test' }) }),
    );
    await page.reload();
    expect(await (await page.waitForSelector('[data-testid=error]')).textContent()).toContain('comparison down for the test');
    const fallback = await page.waitForSelector(`[data-testid=compare-fallback-table] [data-testid=compare-row][data-benchmark="${provider}/demo_mc"][data-metric=acc]`);
    const fallbackCells = await fallback.$$('[data-testid=compare-cell]');
    expect(fallbackCells).toHaveLength(2);
    expect(Number(await (await fallbackCells[1].$('[data-testid=compare-delta]'))!.getAttribute('data-delta'))).toBeCloseTo(delta, 9);
    await page.unroute('**/api/v1/evaluations/jobs/compare?*');
    expect(errors).toEqual([]);
  });
  it('plots GuideLLM latency percentiles and throughput per strategy, and garak attack success per probe', async () => {
    // The test plays the adapter, reporting results named as the guidellm and garak executors name them.
    const benchmarks = [
      { id: 'load', name: 'Load', category: 'performance', primary_score: { metric: 'output_tokens_per_second' }, pass_criteria: { threshold: 10 } },
      { id: 'redteam', name: 'Red team', category: 'safety', primary_score: { metric: 'attack_success_rate', lower_is_better: true }, pass_criteria: { threshold: 0.3 } },
    ];
    const created = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'Played', title: 'Played', benchmarks, runtime: { local: { command: SILENT_ADAPTER } } });
    const played = created.body.resource.id;
    const sub = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'perf and safety', model: { url: fake.url, name: 'fake-model' }, benchmarks: benchmarks.map((b) => ({ id: b.id, provider_id: played })) });
    const id = sub.body.resource.id;
    const perf: Record<string, number> = { output_tokens_per_second: 120, requests_per_second: 3 };
    for (const [label, scale] of [['synchronous', 1], ['throughput', 3]] as const) {
      for (const [m, base] of [['ttft_ms', 40], ['itl_ms', 5]] as const) for (const [p, f] of [['p50', 1], ['p90', 1.5], ['p99', 2]] as const) perf[`${label}/${m}_${p}`] = base * f * scale;
      perf[`${label}/output_tokens_per_second`] = 40 * scale;
      perf[`${label}/requests_per_second`] = scale;
    }
    const garak = { attack_success_rate: 0.25, 'attack_success_rate/dan.Dan_11_0': 0.5, 'attack_success_rate/encoding.InjectHex': 0, attempts: 8 };
    for (const [i, metrics] of [perf, garak].entries()) {
      const cb = await svc.callbackUrl(id, i);
      const res = await svc.postEvent(cb, id, { provider_id: played, id: benchmarks[i].id, benchmark_index: i, status: 'completed', metrics, additional_info: i === 0 ? { strategies: [{ label: 'synchronous' }, { label: 'throughput' }] } : {} });
      expect(res.status).toBe(204);
    }
    await svc.waitForState(id, TERMINAL);
    await page.goto(`${svc.baseUrl}/ui#/jobs/${id}`);
    for (const chart of ['ttft-chart', 'itl-chart', 'throughput-chart', 'garak-chart', 'scores-chart']) {
      await page.waitForSelector(`[data-testid=${chart}][data-drawn=true]`);
      expect([chart, (await paintedPixels(page, `[data-testid=${chart}]`)) > 2000]).toEqual([chart, true]);
    }
    const shot = path.join(SHOTS, 'dashboard-perf-safety.png');
    await page.screenshot({ path: shot, fullPage: true });
    await assertRichScreenshot(browser, shot);
    expect(errors).toEqual([]);
  });
});

/** With authentication on, the page says what to set, and works once the token is set. */
describe('web dashboard with authentication on', () => {
  const svc = new EvalHubService({}, { auth: true });
  let browser: Browser;

  beforeAll(async () => {
    await svc.start({ worker: false });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await svc.stop();
  });

  it('serves the page without a token, explains a 401, and lists jobs after the token is saved', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${svc.baseUrl}/ui#/jobs`);
    const banner = await page.waitForSelector('[data-testid=auth-error]');
    expect(await banner.textContent()).toMatch(/bearer token.*Settings/i);
    await page.click('[data-testid=auth-error] a');
    await page.fill('[data-testid=settings-token]', svc.adminToken!);
    await page.click('[data-testid=settings-save]');
    await page.waitForSelector('[data-testid=settings-ok]');
    await page.click('[data-testid=nav-jobs]');
    await page.waitForSelector('[data-testid=jobs-table]');
    expect(await page.$('[data-testid=auth-error]')).toBeNull();
    // A wrong token is a clear 401 too.
    await page.click('[data-testid=nav-settings]');
    await page.fill('[data-testid=settings-token]', 'not-a-token');
    await page.click('[data-testid=settings-save]');
    expect(await (await page.waitForSelector('[data-testid=auth-error]')).textContent()).toContain('401');
  });
});
