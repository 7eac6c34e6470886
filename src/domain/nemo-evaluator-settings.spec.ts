import { NEMO_DEFAULTS, parseContainer, resolveNemoSettings, retryDelayMs } from './nemo-evaluator-settings';

describe('NeMo Evaluator settings', () => {
  const ctx = { benchmarkId: 'byob_capitals.capitals', modelUrl: 'http://model:8000/v1/chat/completions' };

  it("fills the original design's defaults, taking the model endpoint from the job and the evaluation type from the benchmark", () => {
    const r = resolveNemoSettings({ endpoint: 'evaluator' }, undefined, ctx);
    expect(r.errors).toEqual([]);
    expect(r.settings).toEqual({
      containers: [{ scheme: 'http', host: 'evaluator', port: 3825 }],
      model_endpoint: ctx.modelUrl,
      endpoint_type: 'chat',
      timeout_seconds: 3600,
      max_retries: 3,
      verify_ssl: true,
      health_check_endpoint: '/health',
      run_post_hooks: false,
      framework_name: 'eval-hub-client',
      command: 'evaluate {{ config.type }}',
      eval_type: 'byob_capitals.capitals',
      max_new_tokens: 512,
      parallelism: 1,
      temperature: 0,
      top_p: 0.95,
      request_timeout: 60,
    });
    expect(NEMO_DEFAULTS.port).toBe(3825);
  });

  it('lets a benchmark override the provider, num_examples meaning limit_samples, and lists several containers', () => {
    const r = resolveNemoSettings(
      { endpoint: ['10.0.0.5', 'https://eval-b.example:9443/'], port: 4000, max_retries: 1, auth_token_secret_ref: 'env:EVAL_TOKEN' },
      { num_examples: 20, temperature: 0.5, endpoint_type: 'completions', model_endpoint: 'http://other:8000/v1/completions', num_few_shot: 0 },
      ctx,
    );
    expect(r.errors).toEqual([]);
    expect(r.settings).toMatchObject({
      containers: [
        { scheme: 'http', host: '10.0.0.5', port: 4000 },
        { scheme: 'https', host: 'eval-b.example', port: 9443 },
      ],
      limit_samples: 20,
      temperature: 0.5,
      endpoint_type: 'completions',
      model_endpoint: 'http://other:8000/v1/completions',
      max_retries: 1,
      auth_token_secret_ref: 'env:EVAL_TOKEN',
    });
  });

  it('names the field of every bad value, wherever it was given', () => {
    const r = resolveNemoSettings(
      { endpoint: 'bad host!', port: 70000, endpoint_type: 'speech', verify_ssl: 'no', timeout_seconds: 0, auth_token: 't', auth_token_secret_ref: 'env:X', bogus: 1 },
      { top_p: 0, max_retries: -1, api_key_env: '1BAD', health_check_endpoint: 'health' },
      ctx,
    );
    expect(r.settings).toBeUndefined();
    const all = r.errors.join('\n');
    for (const f of [
      'runtime.nemo_evaluator.bogus is not a NeMo Evaluator setting',
      "runtime.nemo_evaluator.endpoint: 'bad host!' is not a host",
      'runtime.nemo_evaluator.port must be a whole number from 1 to 65535',
      'runtime.nemo_evaluator.endpoint_type must be one of chat, completions, vlm, embedding',
      'runtime.nemo_evaluator.verify_ssl must be true or false',
      'runtime.nemo_evaluator.timeout_seconds must be a whole number',
      'give one of them',
      'parameters.top_p must be a number above 0 and at most 1',
      'parameters.max_retries must be a whole number from 0 to 20',
      'parameters.api_key_env must be an environment variable name',
      "parameters.health_check_endpoint must be a path starting with '/'",
    ])
      expect(all).toContain(f);
  });

  it('requires an endpoint and a model URL for a run, but not for a provider on its own', () => {
    expect(resolveNemoSettings({}, undefined, { benchmarkId: 'b' }).errors).toEqual([
      'runtime.nemo_evaluator.endpoint is required: the host (or host:port) of the evaluator container, or a list of them',
      'runtime.nemo_evaluator.model_endpoint is required when the job has no model.url',
    ]);
    expect(resolveNemoSettings({ port: 3826 }, undefined, { benchmarkId: 'b', partial: true }).errors).toEqual([]);
    expect(resolveNemoSettings('x', undefined, ctx).errors).toEqual(['runtime.nemo_evaluator must be an object']);
  });

  it('parses container addresses', () => {
    expect(parseContainer('evaluator:3900', 3825)).toEqual({ scheme: 'http', host: 'evaluator', port: 3900 });
    expect(parseContainer('HTTPS://[::1]:4443', 3825)).toEqual({ scheme: 'https', host: '[::1]', port: 4443 });
    expect(parseContainer('127.0.0.1', 3825)).toEqual({ scheme: 'http', host: '127.0.0.1', port: 3825 });
    expect(parseContainer('a/b', 3825)).toMatch(/is not a host/);
  });

  it('backs off exponentially from 1 s with ±25% jitter, capped at 30 s', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(1, () => 0)).toBe(750);
    expect(retryDelayMs(1, () => 1)).toBe(1250);
    expect(retryDelayMs(10, () => 0.5)).toBe(30000);
  });
});
