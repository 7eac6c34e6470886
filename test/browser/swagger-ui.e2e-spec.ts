import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, Browser } from 'playwright-core';
import { EvalHubService } from '../support/service';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What a person sees at /docs, in a real browser (Debian's chromium driven by playwright-core). */
describe('Swagger UI in a browser', () => {
  const svc = new EvalHubService();
  let browser: Browser;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
    // With a worker: the submit example must pass the check that its provider can run here.
    await svc.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await svc.stop();
  });

  it('renders every operation, and the job submission schema with its description', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${svc.baseUrl}/docs`);
    await page.waitForSelector('.opblock', { timeout: 30000 });
    expect(await page.title()).toBe('EvalHub API');
    const ops = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.getAttribute('data-path')));
    for (const p of ['/api/v1/evaluations/jobs', '/api/v1/evaluations/jobs/{id}/events', '/api/v1/evaluations/providers/{id}', '/api/v1/evaluations/collections/{id}', '/api/v1/health']) {
      expect(ops).toContain(p);
    }
    expect(ops.length).toBeGreaterThanOrEqual(19);
    // Open "Submit an evaluation job" and look at what it documents.
    await page.click('#operations-evaluations-EvaluationsController_submit .opblock-summary');
    await page.waitForSelector('#operations-evaluations-EvaluationsController_submit .opblock-body');
    const body = await page.textContent('#operations-evaluations-EvaluationsController_submit');
    expect(body).toContain('Give exactly one of');
    expect(body).toContain('202');
    const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-ui-')), 'docs.png');
    await page.screenshot({ path: shot, fullPage: false });
    expect(fs.statSync(shot).size).toBeGreaterThan(10000);
  });

  it('"Try it out" on job submission with the example it fills in is accepted (202)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${svc.baseUrl}/docs`);
    const op = '#operations-evaluations-EvaluationsController_submit';
    await page.waitForSelector(`${op} .opblock-summary`, { timeout: 30000 });
    await page.click(`${op} .opblock-summary`);
    await page.click(`${op} .try-out__btn`);
    const body = await page.inputValue(`${op} textarea.body-param__text`);
    expect(JSON.parse(body)).toMatchObject({ benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }] });
    await page.click(`${op} .execute`);
    await page.waitForSelector(`${op} .live-responses-table tr.response .response-col_status`, { timeout: 30000 });
    expect((await page.textContent(`${op} .live-responses-table tr.response .response-col_status`))?.trim()).toBe('202');
  });
});
