import { JobRecord } from '../../domain/types';
import { buildGuideLlmInvocation, GuideLlmParameterError, serverRoot } from './guidellm-command';
import { progressFromLine } from './guidellm-progress';
import { parseGuideLlmReport, safeKey, strategyLabels } from './guidellm-results';

function job(id: string, parameters: Record<string, unknown> = {}, url = 'http://m:8000/v1', modelParams?: Record<string, unknown>): JobRecord {
  return {
    resource: { id: 'j' },
    config: { name: 'j', model: { url, name: 'org/model', parameters: modelParams } },
    benchmarks: [{ id, provider_id: 'guidellm', parameters }],
    status: { state: 'pending', message: null, benchmarks: [] },
    results: {},
  };
}

/** The JSON value of option `flag` (the n-th occurrence). */
function option(args: string[], flag: string, n = 0): Record<string, unknown> {
  const at = args.map((a, i) => (a === flag ? i : -1)).filter((i) => i >= 0)[n];
  return JSON.parse(args[at + 1]);
}

describe('buildGuideLlmInvocation', () => {
  it('quick_perf_test: synchronous, bounded, server root as target, key only in the environment', () => {
    const p = buildGuideLlmInvocation(job('quick_perf_test', { max_requests: 8, prompt_tokens: 32, output_tokens: 16 }), 0, '/out', '/env/evalhub-tokenizer', 'sk-secret');
    expect(p.args[0]).toBe('run');
    expect(option(p.args, '--backend')).toEqual({ kind: 'openai_http', target: 'http://m:8000', model: 'org/model', request_format: '/v1/chat/completions' });
    expect(option(p.args, '--profile')).toEqual({ kind: 'synchronous' });
    expect(option(p.args, '--data')).toEqual({ kind: 'synthetic_text', prompt_tokens: 32, output_tokens: 16 });
    expect(option(p.args, '--tokenizer')).toEqual({ kind: 'huggingface_auto', model: '/env/evalhub-tokenizer' });
    expect(option(p.args, '--constraint', 0)).toEqual({ kind: 'max_requests', count: 8 });
    expect(option(p.args, '--constraint', 1)).toEqual({ kind: 'max_duration', seconds: 60 });
    expect(option(p.args, '--seed')).toEqual({ kind: 'static', value: 42 });
    expect(option(p.args, '--output')).toEqual({ kind: 'json', path: '/out/benchmarks.json' });
    expect(p.args).toContain('--disable-console-interactive');
    expect(p.outputFile).toBe('/out/benchmarks.json');
    expect(p.strategies).toBe(1);
    expect(p.env).toEqual({ GUIDELLM__SPEC__BACKEND__API_KEY: 'sk-secret' });
    expect(p.args.join(' ')).not.toContain('sk-secret');
  });

  it('bounds every catalog benchmark by default', () => {
    for (const id of ['sweep', 'throughput', 'concurrent', 'constant', 'poisson', 'quick_perf_test', 'comprehensive_perf_test']) {
      const p = buildGuideLlmInvocation(job(id), 0, '/o', '/t', undefined);
      expect(p.maxRequests).toBeGreaterThan(0);
      expect(p.maxSeconds).toBeLessThanOrEqual(120);
      expect(option(p.args, '--constraint', 0).kind).toBe('max_requests');
      expect(option(p.args, '--constraint', 1).kind).toBe('max_duration');
      expect(p.env).toEqual({});
    }
    expect(option(buildGuideLlmInvocation(job('constant'), 0, '/o', '/t', undefined).args, '--profile')).toEqual({ kind: 'constant', rate: 10 });
    expect(option(buildGuideLlmInvocation(job('concurrent'), 0, '/o', '/t', undefined).args, '--profile')).toEqual({ kind: 'concurrent', streams: 4 });
    const sweep = buildGuideLlmInvocation(job('comprehensive_perf_test'), 0, '/o', '/t', undefined);
    expect(option(sweep.args, '--profile')).toEqual({ kind: 'sweep', sweep_size: 8 });
    expect(sweep.strategies).toBe(8);
    expect(sweep.maxRequests).toBe(100);
  });

  it('maps rate, streams, concurrency and the num_examples alias', () => {
    const poisson = buildGuideLlmInvocation(job('poisson', { rate: 2.5, concurrency: 16, num_examples: 12, max_seconds: 5, seed: 7 }), 0, '/o', '/t', undefined);
    expect(option(poisson.args, '--profile')).toEqual({ kind: 'poisson', rate: 2.5, max_concurrency: 16 });
    expect(poisson.strategies).toBe(1);
    expect(option(poisson.args, '--constraint', 0)).toEqual({ kind: 'max_requests', count: 12 });
    expect(option(poisson.args, '--constraint', 1)).toEqual({ kind: 'max_duration', seconds: 5 });
    expect(option(poisson.args, '--seed')).toEqual({ kind: 'static', value: 7 });
    const conc = buildGuideLlmInvocation(job('concurrent', { concurrency: 2 }), 0, '/o', '/t', undefined);
    expect(option(conc.args, '--profile')).toEqual({ kind: 'concurrent', streams: 2 });
    expect(conc.strategies).toBe(1);
    const overridden = buildGuideLlmInvocation(job('quick_perf_test', { profile: 'throughput', concurrency: 8 }), 0, '/o', '/t', undefined);
    expect(option(overridden.args, '--profile')).toEqual({ kind: 'throughput', max_concurrency: 8 });
    // quick_perf_test's smaller bounds belong to its own (synchronous) profile.
    expect(overridden.maxRequests).toBe(50);
    const tenant = buildGuideLlmInvocation(job('my_load_test', { profile: 'sweep', sweep_size: 3 }), 0, '/o', '/t', undefined);
    expect(option(tenant.args, '--profile')).toEqual({ kind: 'sweep', sweep_size: 3 });
  });

  it('picks the completions API from the URL or model parameters', () => {
    expect(buildGuideLlmInvocation(job('constant', {}, 'http://m:8000/v1/completions'), 0, '/o', '/t', undefined).requestFormat).toBe('/v1/completions');
    expect(buildGuideLlmInvocation(job('constant', {}, 'http://m:8000/v1/chat/completions'), 0, '/o', '/t', undefined).requestFormat).toBe('/v1/chat/completions');
    expect(buildGuideLlmInvocation(job('constant', {}, 'http://m:8000/v1', { api: 'completions' }), 0, '/o', '/t', undefined).requestFormat).toBe('/v1/completions');
  });

  it.each([
    [{ profile: 'burst' }, /profile must be one of synchronous, concurrent/],
    [{ max_requests: 0 }, /max_requests must be a positive integer/],
    [{ max_requests: 2.5 }, /max_requests must be a positive integer/],
    [{ num_examples: -1 }, /num_examples must be a positive integer/],
    [{ max_requests: 5, num_examples: 6 }, /disagree/],
    [{ rate: 5 }, /rate does not apply to the synchronous profile/],
    [{ concurrency: 2 }, /concurrency does not apply to the synchronous profile/],
    [{ profile: 'sweep', sweep_size: 50 }, /sweep_size must be between 2 and 10/],
    [{ profile: 'constant', rate: 'fast' }, /rate must be a positive number/],
    [{ profile: 'constant', rate: [2, 4] }, /rate must be a positive number/],
    [{ profile: 'concurrent', concurrency: [1, 2] }, /concurrency must be a positive integer/],
    [{ profile: 'poisson', rate: 0 }, /rate must be a positive number/],
    [{ seed: -3 }, /seed must be a non-negative integer/],
  ])('refuses %j', (params, message) => {
    expect(() => buildGuideLlmInvocation(job('quick_perf_test', params), 0, '/o', '/t', undefined)).toThrow(GuideLlmParameterError);
    expect(() => buildGuideLlmInvocation(job('quick_perf_test', params), 0, '/o', '/t', undefined)).toThrow(message);
  });

  it('needs a profile for an unknown benchmark id', () => {
    expect(() => buildGuideLlmInvocation(job('latency_check'), 0, '/o', '/t', undefined)).toThrow(/not a GuideLLM benchmark.*give a profile parameter/);
  });

  it.each([
    ['http://m:8000/v1', 'http://m:8000'],
    ['http://m:8000/v1/', 'http://m:8000'],
    ['http://m:8000/v1/chat/completions', 'http://m:8000'],
    ['http://m:8000/proxy/v1/completions', 'http://m:8000/proxy'],
    ['http://m:8000', 'http://m:8000'],
  ])('serverRoot(%s)', (url, root) => expect(serverRoot(url)).toBe(root));
});

function dist(mean: number, p50: number, p90: number, p99: number) {
  return { successful: { mean, median: p50, percentiles: { p50, p90, p99 } }, errored: { mean: 999 } };
}

function bench(type: string, otps: number, extra: Record<string, unknown> = {}, totals = { successful: 10, errored: 0, incomplete: 0, total: 10 }) {
  return {
    config: { strategy: { type_: type, ...extra } },
    duration: 2.5,
    metrics: {
      request_totals: totals,
      requests_per_second: dist(otps / 16, 0, 0, 0),
      prompt_tokens_per_second: dist(otps * 2, 0, 0, 0),
      output_tokens_per_second: dist(otps, 1, 1, 1),
      tokens_per_second: dist(otps * 3, 0, 0, 0),
      request_concurrency: dist(1, 1, 1, 1),
      time_to_first_token_ms: dist(50 + otps / 100, 52, 55, 60),
      inter_token_latency_ms: dist(10, 10.2, 10.5, 11),
      time_per_output_token_ms: dist(12, 12, 13, 14),
      request_latency: dist(0.2, 0.2, 0.21, 0.25),
    },
    requests: { errored: totals.errored ? [{ info: { error: 'HTTP 500 from server' } }] : [] },
  };
}

describe('parseGuideLlmReport', () => {
  it('takes the catalog metrics from the strategy with the highest output tokens/s, keeps every strategy', () => {
    const r = parseGuideLlmReport({ benchmarks: [bench('synchronous', 80), bench('throughput', 660, { max_concurrency: 512 }), bench('constant', 370, { rate: 23.4 }), bench('constant', 500, { rate: 35 })] });
    expect(r.best).toBe('throughput');
    expect(r.metrics.output_tokens_per_second).toBe(660);
    expect(r.metrics.requests_per_second).toBe(660 / 16);
    expect(r.metrics.prompt_tokens_per_second).toBe(1320);
    expect(r.metrics.mean_ttft_ms).toBe(56.6);
    expect(r.metrics.mean_itl_ms).toBe(10);
    expect(r.metrics.p99_ttft_ms).toBe(60);
    expect(r.metrics.mean_request_latency_s).toBe(0.2);
    expect(r.strategies.map((s) => s.label)).toEqual(['synchronous', 'throughput', 'constant_1', 'constant_2']);
    expect(r.strategies[2]).toMatchObject({ type: 'constant', rate: 23.4, requests_successful: 10, duration_seconds: 2.5 });
    expect(r.metrics['synchronous/output_tokens_per_second']).toBe(80);
    expect(r.metrics['constant_2/ttft_ms_mean']).toBe(55);
    expect(r.metrics['constant_1/itl_ms_p90']).toBe(10.5);
    expect(r.metrics['throughput/request_latency_s_p99']).toBe(0.25);
    expect(r.metrics['throughput/mean_concurrency']).toBe(1);
    expect(r.metrics['synchronous/requests_successful']).toBe(10);
    expect(r.metrics.requests_successful).toBe(40);
    expect(r.requests).toEqual({ successful: 40, errored: 0, incomplete: 0 });
    // Bounded and MLflow-safe keys.
    const keys = Object.keys(r.metrics);
    expect(keys.length).toBeLessThan(150);
    expect(keys.every((k) => /^[A-Za-z0-9_\-. /]+$/.test(k))).toBe(true);
    expect(Object.values(r.metrics).every((v) => Number.isFinite(v))).toBe(true);
  });

  it('counts failed requests and keeps the first error; no catalog metrics without a successful request', () => {
    const r = parseGuideLlmReport({ benchmarks: [bench('synchronous', 0, {}, { successful: 0, errored: 5, incomplete: 1, total: 6 })] });
    expect(r.best).toBeUndefined();
    expect(r.metrics.output_tokens_per_second).toBeUndefined();
    expect(r.requests).toEqual({ successful: 0, errored: 5, incomplete: 1 });
    expect(r.firstError).toBe('HTTP 500 from server');
    expect(parseGuideLlmReport({}).metrics).toEqual({ requests_successful: 0, requests_errored: 0, requests_incomplete: 0 });
  });

  it('labels and keys', () => {
    expect(strategyLabels(['synchronous', 'concurrent', 'concurrent'])).toEqual(['synchronous', 'concurrent_1', 'concurrent_2']);
    expect(safeKey('constant@41.50')).toBe('constant_41.50');
  });
});

describe('progressFromLine', () => {
  const line = (k: number, event: string, ok: number, err = 0) =>
    `26-12-02 00:39:08|INFO     |guidellm.benchmark.progress:_log_update:420 - Benchmark ${k} (constant@41.50): ${event} | elapsed=3.0s | successful=${ok} errored=${err} incomplete=0 | requests/s=1.00 output_tokens/s=16.00`;
  it.each([
    [line(1, 'started', 0), 3, 10, { phase: 'running_evaluation', done: 0, total: 30 }],
    [line(1, 'in_progress', 5), 1, 10, { phase: 'running_evaluation', done: 5, total: 10 }],
    [line(2, 'in_progress', 4, 1), 4, 10, { phase: 'running_evaluation', done: 15, total: 40 }],
    [line(2, 'completed', 3), 3, 10, { phase: 'running_evaluation', done: 20, total: 30 }],
    [line(1, 'compile', 0), 2, 10, { phase: 'running_evaluation', done: 10, total: 20 }],
    [line(3, 'completed', 10), 3, 10, { phase: 'running_evaluation', done: 30, total: 30 }],
    [line(1, 'in_progress', 50), 1, 10, { phase: 'running_evaluation', done: 10, total: 10 }],
    ['26-12-02 00:39:08|INFO     |guidellm.benchmark.benchmarker:run:116 - Starting benchmark for strategy: throughput@512', 3, 10, { phase: 'running_evaluation' }],
    ['✔ 1 datasets resolved', 1, 10, { phase: 'loading_data' }],
    ['✔ OpenAIHTTPBackend backend validated with model fake-model', 1, 10, { phase: 'initializing' }],
    ['26-12-02 00:39:22|INFO     |guidellm.benchmark.benchmarker:run:199 - All benchmarks finalized', 1, 10, { phase: 'persisting_artifacts' }],
    ['| synchronous  | 00:39:08 |', 1, 10, undefined],
  ])('%s', (l, strategies, maxRequests, expected) => {
    expect(progressFromLine(l, strategies, maxRequests)).toEqual(expected);
  });
});
