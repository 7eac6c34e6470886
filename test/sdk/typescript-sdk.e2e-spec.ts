import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeModel, startFakeModel } from '../support/fake-model';
import { Registry } from '../support/registry';
import { EvalHubService, ROOT } from '../support/service';

// The TypeScript SDK as a user gets it: the example adapter (written with evalhub/adapter) as a
// local provider pushing its files to a real registry, and a separate TypeScript project that
// imports evalhub/client and evalhub/models through the package's exports.

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('TypeScript SDK', () => {
  let svc: EvalHubService;
  let model: FakeModel;
  let registry: Registry;

  beforeAll(async () => {
    model = await startFakeModel();
    registry = await new Registry().start();
    svc = new EvalHubService();
    await svc.start();
  });
  afterAll(async () => {
    await svc?.stop();
    await registry?.stop();
    await model?.close();
  });

  it('the example adapter completes a job as a local provider and pushes its results; the digest in the result is the registry\'s', async () => {
    const provider = (
      await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'Capitals (TypeScript adapter)',
        benchmarks: [{ id: 'capitals', name: 'Capitals', category: 'knowledge', primary_score: { metric: 'accuracy' }, pass_criteria: { threshold: 0.5 } }],
        runtime: { local: { command: `${process.execPath} ${path.join(ROOT, 'dist', 'sdk', 'examples', 'capitals-adapter.js')}`, env: [{ name: 'OCI_INSECURE', value: 'true' }] } },
      })
    ).body.resource.id;
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'ts adapter',
      model: { url: model.url, name: 'fake-model' },
      benchmarks: [{ id: 'capitals', provider_id: provider }],
      exports: { oci: { coordinates: { oci_host: registry.host, oci_repository: 'evalhub/capitals', oci_tag: 'ts-adapter' } } },
    });
    expect([res.status, res.body.message]).toEqual([202, undefined]);
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed', 'partially_failed'], 60000);
    expect([job.status.state, job.status.benchmarks[0].error_message?.message]).toEqual(['completed', undefined]);
    const [result] = job.results.benchmarks;
    // Paris, Tokyo and Rome right; the test model says Valparaiso for Chile.
    expect(result.metrics).toEqual({ accuracy: 0.75 });
    expect(result.test).toMatchObject({ primary_score: 0.75, pass: true });
    const pulled = await registry.get('/v2/evalhub/capitals/manifests/ts-adapter', MANIFEST);
    expect(pulled.status).toBe(200);
    expect(result.artifacts.oci_digest).toBe(pulled.headers.get('docker-content-digest'));
    expect(result.artifacts.oci_reference).toBe(`${registry.host}/evalhub/capitals@${result.artifacts.oci_digest}`);
    const manifest = JSON.parse(await pulled.text());
    expect(manifest.annotations).toMatchObject({ 'io.evalhub.job.id': job.resource.id, 'io.evalhub.benchmark.id': 'capitals', 'io.evalhub.model.name': 'fake-model', 'io.evalhub.score': '0.75' });
    expect(manifest.layers.map((l: any) => l.annotations['org.opencontainers.image.title'])).toEqual(['results.json', 'predictions.jsonl']);
    // The adapter's progress reached the job as counts (the events route takes them).
    expect(job.status.benchmarks[0]).toMatchObject({ completed_count: 4, total_count: 4 });
  }, 120000);

  it('a separate TypeScript project imports evalhub/client and evalhub/models and talks to the service', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-sdk-user-'));
    fs.mkdirSync(path.join(project, 'node_modules'));
    // What `npm install evalhub` leaves: the package under node_modules, resolved through its exports.
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'evalhub'));
    fs.writeFileSync(
      path.join(project, 'main.ts'),
      [
        "import { EvalHubClient, EvalHubError } from 'evalhub/client';",
        "import type { Provider } from 'evalhub/models';",
        "import { JobSpec } from 'evalhub/adapter';",
        'async function main(): Promise<void> {',
        '  const hub = new EvalHubClient({ baseUrl: process.argv[2] });',
        '  const providers: Provider[] = await hub.providers.all({ evaluates: "red_teaming" });',
        '  let code = "";',
        '  try { await hub.jobs.get("missing"); } catch (e) { if (e instanceof EvalHubError) code = e.messageCode ?? ""; }',
        '  const spec = JobSpec.parse({ id: "j", provider_id: "p", benchmark_id: "b", benchmark_index: 0, model: { url: "http://m", name: "m" }, callback_url: "http://x" });',
        '  console.log(JSON.stringify({ providers: providers.map((p) => p.resource.id), code, benchmark: spec.benchmarkId }));',
        '}',
        'void main();',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'ES2022', strict: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')], outDir: 'out' }, files: ['main.ts'] }));
    // Type-checked against the published declarations: a wrong import or type fails here.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project, stdio: 'pipe' });
    const out = JSON.parse(execFileSync(process.execPath, [path.join(project, 'out', 'main.js'), svc.baseUrl], { cwd: project, encoding: 'utf8' }));
    expect(out.providers).toEqual(expect.arrayContaining(['garak', 'garak-kfp']));
    expect(out.providers).not.toContain('lm_evaluation_harness');
    expect(out).toMatchObject({ code: 'resource_not_found', benchmark: 'b' });
  }, 120000);
});
