import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { processesMentioning, requireBackendEnv } from '../support/backends';
import { FakeKfp, kfpPython } from '../support/fake-kfp';
import { FakeModel, LIGHTEVAL_TASKS_DIR, startFakeModel } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { EvalHubService, ROOT } from '../support/service';

// The kubeflow_pipelines executor against a fake KFP v2beta1 server (test/support/fake-kfp) that
// checks pipeline specs with kfp-pipeline-spec and executes the component as a local process: the
// whole path submit → pipeline → run → EvalHub's adapter (real Lighteval, real garak) → callbacks.

const ADAPTER_IMAGE = 'quay.io/evalhub/evalhub-adapter:latest';

describe('Kubeflow Pipelines runtime (fake KFP server, real Lighteval and garak in the component)', () => {
  let fake: FakeModel;
  let slow: FakeModel;
  let kfp: FakeKfp;
  let svc: EvalHubService;

  const kfpSettings = (extra: object = {}) => ({
    framework: 'lighteval',
    kfp_endpoint: kfp.url,
    auth_token_secret_ref: 'env:EVALHUB_SECRET_KFP_TOKEN',
    ca_bundle_path: kfp.caPath,
    poll_interval_seconds: 1,
    // The image has the task file at this path (here: the repo's fixture folder).
    env: [{ name: 'EVALHUB_INCLUDE_PATH', value: LIGHTEVAL_TASKS_DIR }],
    ...extra,
  });
  const provider = async (settings: object) => {
    const res = await svc.request('POST', '/api/v1/evaluations/providers', {
      name: 'Lighteval on KFP',
      benchmarks: [{ id: 'capitals', name: 'Capitals', category: 'knowledge', primary_score: { metric: 'exact_match' }, pass_criteria: { threshold: 0.5 } }],
      runtime: { kubeflow_pipelines: settings },
    });
    expect([res.status, res.body.message]).toEqual([201, undefined]);
    return res.body.resource.id as string;
  };
  const submit = async (body: object) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', body);
    expect([res.status, res.body.message]).toEqual([202, undefined]);
    return res.body.resource.id as string;
  };
  const logsOf = async (id: string) => (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
  const runIdIn = (logs: string) => /KFP run (\S+) created/.exec(logs)?.[1];

  beforeAll(async () => {
    requireBackendEnv('lighteval', 'garak');
    fake = await startFakeModel();
    slow = await startFakeModel({ delayMs: 3000 });
    kfp = await new FakeKfp({ [ADAPTER_IMAGE]: ROOT, 'evalhub-test/shell:1': os.tmpdir() }).start();
    svc = new EvalHubService({ EVALHUB_SECRET_KFP_TOKEN: kfp.token, MAX_CONCURRENT_EVALUATIONS: '4' });
    await svc.start();
  }, 120000);
  afterAll(async () => {
    await svc?.stop();
    await kfp?.stop();
    await fake?.close();
    await slow?.close();
  });

  it('the fake speaks KFP v2beta1 as the official kfp client uses it (upload, versions, experiments, runs, terminate)', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-client-'));
    const output = await new Promise<string>((resolve, reject) => {
      const p = spawn(kfpPython(), [path.join(ROOT, 'test', 'support', 'fake-kfp', 'kfp_client_check.py'), kfp.url, work, kfp.token, kfp.caPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kfp client check exited ${code}: ${err.slice(-2000)}`))));
    });
    const r = JSON.parse(output.trim().split('\n').pop()!);
    expect(r).toMatchObject({
      found_pipeline_id: r.pipeline_id,
      versions: ['hello', 'hello-v2'],
      experiment_found: true,
      hello_state: 'SUCCEEDED',
      inline_state: 'SUCCEEDED',
      broken_state: 'FAILED',
      broken_error: "task 'broken' failed: the container exited with code 7",
      long_running_state: 'RUNNING',
      terminated_state: 'CANCELED',
    });
    // The compiled component really ran, with the run's parameter in its command.
    expect(await kfp.runOutput(r.hello_run_id)).toContain('said: from the client');
    expect(await kfp.runOutput(r.inline_run_id)).toContain('said: inline');
  }, 120000);

  it("completes a Lighteval benchmark through a KFP run with Lighteval's real metrics; a second job reuses the uploaded version", async () => {
    const p = await provider(kfpSettings());
    const job = async () => {
      const id = await submit({ name: 'kfp-lighteval', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'capitals', provider_id: p }] });
      return { job: await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 240000), logs: await logsOf(id) };
    };
    const first = await job();
    expect([first.job.status.state, first.job.status.benchmarks[0].error_message?.message]).toEqual(['completed', undefined]);
    const [r] = first.job.results.benchmarks;
    // 3 of the 4 capitals right, as the fake model answers (the native Lighteval suite checks the same numbers against Lighteval run directly).
    expect(r.metrics).toMatchObject({ em: 0.75, exact_match: 0.75 });
    expect(r.test).toMatchObject({ primary_score: 0.75, pass: true });
    expect(first.logs).toMatch(/uploaded pipeline version evalhub-lighteval-[0-9a-f]{16}/);
    const runId = runIdIn(first.logs)!;
    // The job ends with the adapter's result; the executor sees the run end at its next poll.
    await waitFor('the run to end in the log', async () => new RegExp(`KFP run ${runId} is SUCCEEDED`).test(await logsOf(first.job.resource.id)), 30000, 250);
    const run = await kfp.run(runId);
    expect(run.state).toBe('SUCCEEDED');
    // The component was EvalHub's adapter running Lighteval, in an experiment named after the job's (default 'evalhub').
    expect(await kfp.runOutput(runId)).toMatch(/\[adapter\] lighteval: benchmark capitals \(index 0\)/);
    expect(JSON.parse(run.runtime_config.parameters.job_spec)).toMatchObject({ id: first.job.resource.id, benchmark_id: 'capitals', callback_url: expect.stringMatching(/\/cb\//) });

    const second = await job();
    expect(second.job.status.state).toBe('completed');
    expect(second.job.results.benchmarks[0].metrics.em).toBe(0.75);
    expect(second.logs).toMatch(/reusing pipeline version evalhub-lighteval-[0-9a-f]{16}/);
    const calls = await kfp.calls();
    const ours = (p: string) => calls.filter((c) => c.path === p && c.query.name?.startsWith('evalhub-lighteval'));
    expect(ours('/apis/v2beta1/pipelines/upload_version')).toHaveLength(1);
    expect(ours('/apis/v2beta1/pipelines/upload')).toHaveLength(1);
    // Every API call carried the token (read from the secret reference) over TLS with the CA bundle.
    expect(calls.filter((c) => c.path.startsWith('/apis/')).every((c) => c.authorization === `Bearer ${kfp.token}`)).toBe(true);
    expect(first.logs + second.logs).not.toContain(kfp.token);
  }, 300000);

  it("runs the catalog's garak-kfp benchmark when the job's benchmark asks for kubeflow-pipelines; two jobs at once share one pipeline and experiment", async () => {
    const backend = { type: 'kubeflow-pipelines', framework: 'garak', kfp_endpoint: kfp.url, experiment: 'red-team', auth_token_secret_ref: 'env:EVALHUB_SECRET_KFP_TOKEN', ca_bundle_path: kfp.caPath, poll_interval_seconds: 1 };
    const body = { name: 'kfp-garak', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'quick', provider_id: 'garak-kfp', parameters: { backend } }] };
    // Submitted together: both find no pipeline, version or experiment, and race to create them.
    const ids = await Promise.all([submit(body), submit(body)]);
    const runs: any[] = [];
    for (const id of ids) {
      const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 240000);
      expect([job.status.state, job.status.benchmarks[0].error_message?.message]).toEqual(['completed', undefined]);
      // The same number the native garak suite gets from garak's report (one of two detectors fires).
      expect(job.results.benchmarks[0].metrics.attack_success_rate).toBe(0.5);
      const logs = await logsOf(id);
      expect(logs).toMatch(/(uploaded|reusing) pipeline version evalhub-garak-[0-9a-f]{16}/);
      expect(logs).toMatch(/created in experiment 'red-team'/);
      // The routing block is EvalHub's: the adapter's JobSpec does not carry it.
      const run = await kfp.run(runIdIn(logs)!);
      expect(JSON.parse(run.runtime_config.parameters.job_spec).parameters.backend).toBeUndefined();
      runs.push(run);
    }
    // One experiment and one pipeline version, whichever job created them.
    expect(new Set(runs.map((r) => r.experiment_id)).size).toBe(1);
    expect(new Set(runs.map((r) => r.pipeline_version_reference.pipeline_version_id)).size).toBe(1);
  }, 300000);

  it('cancel terminates the KFP run and its adapter', async () => {
    const p = await provider(kfpSettings());
    const id = await submit({ name: 'kfp-cancel', model: { url: slow.url, name: 'fake-model' }, benchmarks: [{ id: 'capitals', provider_id: p }] });
    let runId: string | undefined;
    await waitFor(
      'the KFP run to be running',
      async () => {
        runId = runIdIn(await logsOf(id));
        return runId !== undefined && (await kfp.run(runId)).state === 'RUNNING' && (await kfp.runOutput(runId)).includes('[adapter]');
      },
      120000,
      250,
    );
    const del = await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`);
    expect(del.status).toBe(204);
    await waitFor('the KFP run to be cancelled', async () => (await kfp.run(runId!)).state === 'CANCELED', 30000, 250);
    const run = await kfp.run(runId!);
    expect(run.state_history.map((s: any) => s.state)).toEqual(expect.arrayContaining(['RUNNING', 'CANCELING', 'CANCELED']));
    expect(processesMentioning(runId!)).toEqual([]);
    expect(await logsOf(id)).toMatch(new RegExp(`terminated KFP run ${runId}: the job was cancelled`));
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body.status.state).toBe('cancelled');
  }, 240000);

  it("a KFP run that fails gives a failed benchmark with KFP's error; a wrong token fails at once", async () => {
    const p = await provider(kfpSettings({ image: 'quay.io/nobody/missing:1', command: ['python', 'main.py'] }));
    const id = await submit({ name: 'kfp-fail', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'capitals', provider_id: p }] });
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 120000);
    expect(job.status.state).toBe('failed');
    expect(job.status.benchmarks[0].error_message).toMatchObject({
      message_code: 'kfp_run_failed',
      message: expect.stringMatching(/the Kubeflow Pipelines run \S+ failed: task 'evalhub-benchmark' failed: the image "quay.io\/nobody\/missing:1" could not be pulled/),
    });

    const wrong = await provider({ ...kfpSettings(), auth_token_secret_ref: undefined, auth_token: 'not-the-token' });
    const id2 = await submit({ name: 'kfp-401', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'capitals', provider_id: wrong }] });
    const job2 = await svc.waitForState(id2, ['completed', 'failed', 'partially_failed'], 60000);
    expect(job2.status.benchmarks[0].error_message).toMatchObject({ message_code: 'kfp_unauthorized', message: expect.stringMatching(/answered 401: Unauthenticated/) });
    expect(await logsOf(id2)).not.toContain('not-the-token');
  }, 240000);

  it('refuses bad settings with a 400 naming the field', async () => {
    const bad = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'bad', benchmarks: [{ id: 'x', name: 'x', category: 'k' }], runtime: { kubeflow_pipelines: { framework: 'mteb', poll_interval_seconds: 0 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('runtime.kubeflow_pipelines.framework must be one of lighteval, garak, got "mteb"');
    expect(bad.body.message).toContain('runtime.kubeflow_pipelines.poll_interval_seconds must be a whole number from 1 to 300');
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'n',
      model: { url: fake.url, name: 'm' },
      benchmarks: [{ id: 'quick', provider_id: 'garak-kfp', parameters: { backend: { type: 'kubeflow-pipelines', framework: 'garak', kfp_endpoint: 'not a url' } } }],
    });
    expect([res.status, res.body.message_code]).toEqual([400, 'request_validation_failed']);
    expect(res.body.message).toContain('benchmarks[0].parameters.backend.kfp_endpoint must be an http(s) URL');
  });
});
