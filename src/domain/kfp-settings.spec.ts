import { DEFAULT_ADAPTER_IMAGE, kfpStateOutcome, resolveKfpSettings, runsOnKfp, withoutBackend } from './kfp-settings';

describe('Kubeflow Pipelines settings', () => {
  const runtime = { framework: 'lighteval', kfp_endpoint: 'https://kfp.example:8443/' };

  it("defaults to EvalHub's adapter image running the framework, and trims the endpoint", () => {
    const r = resolveKfpSettings(runtime, undefined);
    expect(r.errors).toEqual([]);
    expect(r.settings).toMatchObject({ kfp_endpoint: 'https://kfp.example:8443', image: DEFAULT_ADAPTER_IMAGE, command: ['node', 'dist/adapter.js', 'lighteval'], verify_ssl: true, poll_interval_seconds: 2, timeout_seconds: 3600, env: [] });
  });

  it("takes a benchmark's parameters.backend over the provider's block", () => {
    const r = resolveKfpSettings(runtime, { backend: { type: 'kubeflow-pipelines', framework: 'garak', namespace: 'team-a' }, num_examples: 5 });
    expect(r.settings).toMatchObject({ framework: 'garak', namespace: 'team-a', command: ['node', 'dist/adapter.js', 'garak'] });
  });

  it('names every bad field, with where it came from', () => {
    const r = resolveKfpSettings({ framework: 'mteb', kfp_endpoint: 'kfp', poll_interval_seconds: 0, env: [{ name: '1X', value: 'v' }], color: 'red' }, { backend: { type: 'kubeflow-pipelines', verify_ssl: 'yes' } }, {}, { runtime: 'provider p: runtime.kubeflow_pipelines', parameters: 'benchmarks[0].parameters.backend' });
    expect(r.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('provider p: runtime.kubeflow_pipelines.color is not a Kubeflow Pipelines setting'),
        'provider p: runtime.kubeflow_pipelines.framework must be one of lighteval, garak, got "mteb"',
        'provider p: runtime.kubeflow_pipelines.kfp_endpoint must be an http(s) URL',
        'provider p: runtime.kubeflow_pipelines.poll_interval_seconds must be a whole number from 1 to 300, got 0',
        expect.stringContaining('provider p: runtime.kubeflow_pipelines.env[0] must be {name, value}'),
        'benchmarks[0].parameters.backend.verify_ssl must be true or false, got "yes"',
      ]),
    );
  });

  it('requires framework and kfp_endpoint for a run but not for a provider on its own', () => {
    expect(resolveKfpSettings({}, undefined).errors).toEqual([expect.stringContaining('framework is required'), expect.stringContaining('kfp_endpoint is required')]);
    expect(resolveKfpSettings({}, undefined, { partial: true }).errors).toEqual([]);
  });

  it('needs the command when another image is given, and one of token or secret reference', () => {
    expect(resolveKfpSettings({ ...runtime, image: 'quay.io/x/y:1' }, undefined).errors).toEqual([expect.stringContaining('command must be set too')]);
    expect(resolveKfpSettings({ ...runtime, image: 'quay.io/x/y:1', command: ['python', 'main.py'] }, undefined).settings).toMatchObject({ image: 'quay.io/x/y:1', command: ['python', 'main.py'] });
    expect(resolveKfpSettings({ ...runtime, auth_token: 'a', auth_token_secret_ref: 'env:B' }, undefined).errors).toEqual([expect.stringContaining('give one of them')]);
  });

  it('routes a benchmark to KFP by its provider or its own backend block only', () => {
    expect(runsOnKfp({ kubeflow_pipelines: {} }, undefined)).toBe(true);
    expect(runsOnKfp(undefined, { backend: { type: 'kubeflow-pipelines' } })).toBe(true);
    expect(runsOnKfp(undefined, { backend: { type: 'kubernetes' } })).toBe(false);
    expect(runsOnKfp(undefined, { backend: 'kubeflow-pipelines' })).toBe(false);
    expect(resolveKfpSettings(runtime, { backend: { type: 'local' } }).errors).toEqual(["parameters.backend.type must be 'kubeflow-pipelines', got \"local\""]);
    expect(withoutBackend({ backend: {}, limit: 3 })).toEqual({ limit: 3 });
  });

  it("maps KFP's run states to what they mean for the benchmark", () => {
    expect(['PENDING', 'RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELING', 'CANCELED', 'PAUSED', undefined].map(kfpStateOutcome)).toEqual(['waiting', 'running', 'succeeded', 'succeeded', 'failed', 'running', 'cancelled', 'waiting', 'waiting']);
  });
});
