import { SseParser, type SseEvent } from '../api/sse';
import type { BenchmarkResult, Job } from '../api/types';
import { compareJobs, summaryText } from './compare';
import { fmtInterval, fmtP } from './format';
import { buildRequest, emptyForm, parameterSpecs, parseParamValue, rerunRequest } from './job-request';
import { garakProbes, guidellmStrategies, metricRows, primaryScores, stderrBase } from './metrics';
import { benchmarkShare, jobPercent } from './progress';
import { curlSnippet, pythonSnippet } from './snippets';

const result = (metrics: Record<string, unknown>, extra: Partial<BenchmarkResult> = {}): BenchmarkResult => ({ id: 'b', provider_id: 'p', benchmark_index: 0, metrics, ...extra });

describe('metric rows', () => {
  it('pairs lm-eval standard errors with their metric, in every spelling', () => {
    expect(stderrBase('acc_stderr')).toBe('acc');
    expect(stderrBase('acc_norm_stderr,none')).toBe('acc_norm');
    expect(stderrBase('exact_match_stderr_strict-match')).toBe('exact_match_strict-match');
    expect(stderrBase('acc')).toBeUndefined();
    const rows = metricRows(
      result(
        { acc: 0.5, acc_stderr: 0.1, 'f1,none': 0.7, 'f1_stderr,none': 0.02, exact_match_strict: 0.3, 'orphan_stderr': 0.4 },
        { test: { primary_score: 0.5, primary_score_metric: 'acc', threshold: 0.4, pass: true } },
      ),
    );
    expect(rows.map((r) => [r.name, r.stderr, r.primary])).toEqual([
      ['acc', 0.1, true],
      ['exact_match_strict', undefined, false],
      ['f1,none', 0.02, false],
      ['orphan_stderr', undefined, false],
    ]);
    expect(rows[0]).toMatchObject({ threshold: 0.4, pass: true });
  });

  it("carries each metric's 95% interval and n from the statistics, and the test's verdict on the primary row", () => {
    const r = result(
      { acc: 0.6, acc_stderr: 0.1, f1: 0.5, plain: 2 },
      {
        statistics: {
          acc: { n: 10, stderr: 0.1, ci95: [0.404, 0.796], method: 'backend_stderr' },
          f1: { n: 8, stderr: 0.05, ci95: [0.4, 0.6], method: 'bootstrap' },
        },
        test: { primary_score: 0.6, primary_score_metric: 'acc', threshold: 0.5, pass: true, verdict: 'inconclusive', ci95: [0.404, 0.796] },
      },
    );
    const rows = metricRows(r);
    expect(rows.map((m) => [m.name, m.ci95, m.n, m.stderr, m.verdict])).toEqual([
      ['acc', [0.404, 0.796], 10, 0.1, 'inconclusive'],
      ['f1', [0.4, 0.6], 8, 0.05, undefined],
      ['plain', undefined, undefined, undefined, undefined],
    ]);
    expect(primaryScores({ results: { benchmarks: [r] } })).toEqual([{ label: 'b #0', metric: 'acc', score: 0.6, threshold: 0.5, pass: true, verdict: 'inconclusive', ci95: [0.404, 0.796] }]);
    expect(fmtInterval([0.404, 0.796])).toBe('[0.404, 0.796]');
  });

  it('reads GuideLLM latency percentiles and throughput per strategy, in run order', () => {
    const r = result(
      { 'throughput/ttft_ms_p50': 10, 'throughput/ttft_ms_p99': 30, 'synchronous/itl_ms_p90': 2, 'synchronous/output_tokens_per_second': 50, 'throughput/requests_per_second': 4, mean_ttft_ms: 9 },
      { additional_info: { strategies: [{ label: 'synchronous' }, { label: 'throughput' }] } },
    );
    expect(guidellmStrategies(r)).toEqual([
      { label: 'synchronous', ttft: {}, itl: { p90: 2 }, outputTokensPerSecond: 50 },
      { label: 'throughput', ttft: { p50: 10, p99: 30 }, itl: {}, requestsPerSecond: 4 },
    ]);
    expect(guidellmStrategies(result({ acc: 1 }))).toEqual([]);
  });

  it("reads garak's attack success per probe", () => {
    expect(garakProbes(result({ attack_success_rate: 0.5, 'attack_success_rate/dan.Dan_11_0': 0.5, 'dan.Dan_11_0/x/passed': 1 }))).toEqual([{ probe: 'dan.Dan_11_0', rate: 0.5 }]);
  });
});

describe('progress', () => {
  it('is a share per benchmark and the server percent (or the mean) per job', () => {
    const b = { provider_id: 'p', id: 'b', benchmark_index: 0, status: 'running' as const };
    expect(benchmarkShare({ ...b, progress: 0.25 })).toBe(0.25);
    expect(benchmarkShare({ ...b, completed_count: 3, total_count: 4 })).toBe(0.75);
    expect(benchmarkShare(b)).toBeUndefined();
    expect(benchmarkShare({ ...b, status: 'completed' })).toBe(1);
    expect(jobPercent({ state: 'running', percent: 42, benchmarks: [] })).toBe(42);
    expect(jobPercent({ state: 'running', benchmarks: [{ ...b, progress: 0.5 }, { ...b, status: 'completed' }] })).toBe(75);
  });
});

describe('compare', () => {
  const job = (id: string, acc: number, extra: Record<string, number> = {}): Job =>
    ({ resource: { id, created_at: '' }, name: id, model: { name: 'm' }, status: { state: 'completed', message: null, benchmarks: [] }, results: { benchmarks: [result({ acc, acc_stderr: 0.1, ...extra })] } }) as Job;

  it('puts every numeric metric side by side with the delta against the first job', () => {
    const rows = compareJobs([job('a', 0.5), job('b', 0.75, { extra: 1 })]);
    expect(rows.map((r) => [r.benchmark, r.metric, r.cells.map((c) => [c.value, c.delta])])).toEqual([
      ['p/b', 'acc', [[0.5, undefined], [0.75, 0.25]]],
      ['p/b', 'extra', [[undefined, undefined], [1, undefined]]],
    ]);
    expect(rows[0].cells[0].stderr).toBe(0.1);
  });
});

describe('comparison wording', () => {
  it('summarises the outcomes with the correction, and prints p-values briefly', () => {
    const summary = { improved: 0, regressed: 1, no_significant_change: 1, not_tested: 0, correction: 'holm' as const, alpha: 0.05 };
    expect(summaryText(summary)).toBe('1 regressed, 1 unchanged, Holm-corrected at α = 0.05');
    expect(summaryText({ ...summary, regressed: 0, no_significant_change: 0 })).toBe('no benchmark in common, Holm-corrected at α = 0.05');
    expect([fmtP(1), fmtP(0.0346), fmtP(0.5), fmtP(0.0004)]).toEqual(['1', '0.035', '0.5', '< 0.001']);
  });
});

describe('job requests', () => {
  it('builds the body from the form: benchmarks with typed parameters, a collection, or a risk category', () => {
    const f = { ...emptyForm(), name: ' n ', modelUrl: 'http://m/v1', modelName: 'm', tags: 'a, b,', benchmarks: [{ provider_id: 'p', id: 'x', params: [{ key: 'num_examples', value: '5' }, { key: 'system_instruction', value: 'be brief' }, { key: '', value: 'ignored' }] }] };
    expect(buildRequest(f)).toEqual({ name: 'n', model: { name: 'm', url: 'http://m/v1' }, tags: ['a', 'b'], benchmarks: [{ id: 'x', provider_id: 'p', parameters: { num_examples: 5, system_instruction: 'be brief' } }] });
    expect(buildRequest({ ...f, mode: 'collection', collectionId: 'c' }).collection).toEqual({ id: 'c' });
    expect(buildRequest({ ...f, mode: 'risk_category', riskCategory: 'high' }).risk_category).toBe('high');
    expect(parseParamValue('{"a": [1]}')).toEqual({ a: [1] });
    expect(parseParamValue('true')).toBe(true);
  });

  it('re-runs a job with its request as accepted', () => {
    const j = { resource: { id: 'j', created_at: '' }, status: {}, results: {}, name: 'n', model: { name: 'm' }, benchmarks: [{ id: 'x', provider_id: 'p' }], description: null, tracking: { state: 'synced' } } as unknown as Job;
    expect(rerunRequest(j)).toEqual({ name: 'n', model: { name: 'm' }, benchmarks: [{ id: 'x', provider_id: 'p' }] });
  });

  it("offers the parameter names a provider document declares, else num_examples", () => {
    expect(parameterSpecs(undefined, undefined).map((s) => s.name)).toEqual(['num_examples']);
    const provider = { accepted_parameters: ['rate', { name: 'profile', description: 'load shape' }] } as never;
    expect(parameterSpecs(provider, undefined)).toEqual([{ name: 'rate' }, { name: 'profile', description: 'load shape' }]);
    expect(parameterSpecs(undefined, { parameters: { properties: { seed: { description: 's' } } } } as never)).toEqual([{ name: 'seed', description: 's' }]);
  });
});

describe('snippets', () => {
  const ctx = { baseUrl: 'http://h:8080', hasToken: true, tenant: 'team-a' };
  const body = { name: "it's", model: { url: 'http://m/v1', name: 'm', auth: { secret_ref: 'env:K' } }, benchmarks: [{ id: 'x', provider_id: 'p', parameters: { num_examples: 5, flag: true } }] };

  it('curl quotes the body for the shell and never prints the token', () => {
    const s = curlSnippet(body, ctx);
    expect(s).toContain(`-H "Authorization: Bearer $EVALHUB_TOKEN"`);
    expect(s).toContain(`-H 'X-Tenant: team-a'`);
    expect(s).toContain(`"name": "it'\\''s"`);
  });

  it('Python uses the SDK models, or plain JSON for what the SDK cannot send', () => {
    const s = pythonSnippet(body, ctx);
    expect(s).toContain('from evalhub.models.api import BenchmarkConfig, JobSubmissionRequest, ModelAuth, ModelConfig');
    expect(s).toContain('client = SyncEvalHubClient(base_url="http://h:8080", auth_token=os.environ["EVALHUB_TOKEN"], tenant="team-a")');
    expect(s).toContain('BenchmarkConfig(id="x", provider_id="p", parameters={');
    expect(s).toContain('"flag": True');
    expect(s).toContain('ModelAuth(secret_ref="env:K")');
    const risk = pythonSnippet({ name: 'r', model: { name: 'm' }, risk_category: 'low' }, ctx);
    expect(risk).toContain('httpx.post("http://h:8080/api/v1/evaluations/jobs"');
    expect(risk).toContain('"risk_category": "low"');
  });
});

describe('SSE parser', () => {
  it('splits events across chunks, joins data lines, skips comments and keeps ids and retry', () => {
    const out: SseEvent[] = [];
    const p = new SseParser((e) => out.push(e));
    p.push('retry: 3000\n\n: keep-alive\n\nid: 1-0\nevent: status\nda');
    p.push('ta: {"a":1}\n\nevent: log\ndata: x\ndata: y\r\n\r\n');
    expect(out).toEqual([
      { event: 'status', data: '{"a":1}', id: '1-0' },
      { event: 'log', data: 'x\ny', id: undefined },
    ]);
    expect(p.retryMs).toBe(3000);
  });
});
