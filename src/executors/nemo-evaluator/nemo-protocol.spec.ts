import { resolveNemoSettings } from '../../domain/nemo-evaluator-settings';
import { buildRequest, byobSampleScores, parseResults, schemaProblem } from './nemo-protocol';

// The shape NeMo Evaluator 0.2.8 gives a BYOB run's results (results.yml → results.tasks).
const ONE_TASK = { tasks: { capitals: { metrics: { 'pass@1': { scores: { correct: { value: 0.75, stats: { count: 4, mean: 0.75, stddev: 0.433, stderr: 0.2165 } } } } } } }, groups: {} };

describe('NeMo Evaluator protocol', () => {
  const settings = resolveNemoSettings({ endpoint: 'e', limit_samples: 5 }, undefined, { benchmarkId: 'byob_capitals.capitals', modelUrl: 'http://m:8000/v1/chat/completions' }).settings!;

  it('builds a request the schema accepts, with the key only when there is one', () => {
    const req = buildRequest(settings, 'fake-model', 'sk-1');
    expect(schemaProblem('EvaluateRequest', req)).toBeUndefined();
    expect(req).toEqual({
      command: 'evaluate {{ config.type }}',
      framework_name: 'eval-hub-client',
      run_post_hooks: false,
      config: { type: 'byob_capitals.capitals', params: { limit_samples: 5, max_new_tokens: 512, parallelism: 1, temperature: 0, top_p: 0.95, request_timeout: 60 } },
      target: { api_endpoint: { url: 'http://m:8000/v1/chat/completions', model_id: 'fake-model', type: 'chat', api_key: 'sk-1' } },
    });
    expect(buildRequest(settings, 'fake-model', undefined).target.api_endpoint).not.toHaveProperty('api_key');
    expect(schemaProblem('EvaluateRequest', { ...req, config: { type: '', params: {} } })).toMatch(/\/config\/type/);
    expect(schemaProblem('EvaluateRequest', { ...req, extra: 1 })).toMatch(/additional properties/);
  });

  it('checks answers against the schema', () => {
    const ok = { status: 'completed', command: 'evaluate x', results: ONE_TASK, artifacts: {}, timing: { started_at: 'a', finished_at: 'b', duration_seconds: 1 } };
    expect(schemaProblem('EvaluateResponse', ok)).toBeUndefined();
    expect(schemaProblem('EvaluateResponse', { ...ok, results: { tasks: { t: { metrics: { m: { scores: { s: { value: 'high' } } } } } } } })).toMatch(/value must be number/);
    expect(schemaProblem('EvaluateResponse', { ...ok, timing: undefined })).toMatch(/timing/);
  });

  it('one task: <metric>/<score> with its stderr and count, and the plain score name when unique', () => {
    const p = parseResults(ONE_TASK);
    expect(p.metrics).toEqual({ 'pass_1/correct': 0.75, 'pass_1/correct_stderr': 0.2165, correct: 0.75, correct_stderr: 0.2165 });
    expect(p.counts).toEqual({ 'pass_1/correct': 4, correct: 4 });
  });

  it('several tasks: <task>/<metric>/<score>; a score name in two tasks gets no plain alias', () => {
    const p = parseResults({ tasks: { a: { metrics: { acc: { scores: { micro: { value: 0.5 } } } } }, b: { metrics: { acc: { scores: { micro: { value: 0.25 } } } } } } });
    expect(p.metrics).toEqual({ 'a/acc/micro': 0.5, 'b/acc/micro': 0.25 });
  });

  it("reads per-sample scores from a BYOB run's predictions, under the same metric names", () => {
    const p = parseResults(ONE_TASK);
    const lines = [
      { sample_id: 0, prompt: 'Q: capital of France?', scores: { correct: true }, status: 'scored' },
      { sample_id: 1, prompt: 'Q: capital of Kenya?', scores: { correct: false }, status: 'scored' },
      { sample_id: 2, prompt: 'Q: failed', scores: {}, status: 'error' },
    ];
    const s = byobSampleScores({ 'capitals/byob_predictions.jsonl': lines.map((l) => JSON.stringify(l)).join('\n'), 'results.yml': 'x' }, p);
    expect(s).toEqual([
      { id: 'capitals/Q: capital of France?', scores: { 'pass_1/correct': 1, correct: 1 } },
      { id: 'capitals/Q: capital of Kenya?', scores: { 'pass_1/correct': 0, correct: 0 } },
    ]);
  });
});
