import { JobRecord } from '../../domain/types';
import { buildLmEvalInvocation, resolveEndpoint } from './lm-eval-command';
import { progressFromLine } from './lm-eval-progress';
import { parseResults, taskMetrics } from './lm-eval-results';

function job(parameters: Record<string, unknown>, modelParams?: Record<string, unknown>): JobRecord {
  return {
    resource: { id: 'j' },
    config: { name: 'j', model: { url: 'http://m:8000/v1', name: 'org/model', parameters: modelParams } },
    benchmarks: [
      { id: 'demo_mc', provider_id: 'p', parameters },
      { id: 'demo_gen', provider_id: 'p', parameters },
    ],
    status: { state: 'pending', message: null, benchmarks: [] },
    results: {},
  };
}

describe('resolveEndpoint', () => {
  it.each([
    ['http://m:8000/v1', undefined, 'local-completions', 'http://m:8000/v1/completions'],
    ['http://m:8000/v1/', undefined, 'local-completions', 'http://m:8000/v1/completions'],
    ['http://m:8000/v1/chat/completions', undefined, 'local-chat-completions', 'http://m:8000/v1/chat/completions'],
    ['http://m:8000/v1/completions', 'chat', 'local-chat-completions', 'http://m:8000/v1/chat/completions'],
    ['http://m:8000/v1/chat/completions', 'completions', 'local-completions', 'http://m:8000/v1/completions'],
  ])('%s (%s)', (url, api, type, endpoint) => {
    expect(resolveEndpoint(url, api)).toEqual({ modelType: type, endpoint });
  });
});

describe('buildLmEvalInvocation', () => {
  it('runs every task of the unit in one command with mapped flags', () => {
    const inv = buildLmEvalInvocation(job({ num_examples: 10, num_few_shot: 2, apply_chat_template: true, custom_thing: 'x' }), [0, 1], { include_path: '/tasks' }, '/out', 'sk-secret');
    const a = inv.args;
    expect(a.slice(0, 3)).toEqual(['run', '--model', 'local-completions']);
    expect(a[a.indexOf('--tasks') + 1]).toBe('demo_mc,demo_gen');
    expect(a[a.indexOf('--model_args') + 1]).toBe('base_url=http://m:8000/v1/completions,model=org/model,max_retries=3,timeout=300,tokenizer_backend=remote,max_length=8192');
    expect(a[a.indexOf('--limit') + 1]).toBe('10');
    expect(a[a.indexOf('--num_fewshot') + 1]).toBe('2');
    expect(a[a.indexOf('--include_path') + 1]).toBe('/tasks');
    expect(a).toContain('--apply_chat_template');
    expect(a).toContain('--log_samples');
    expect(a[a.indexOf('--seed') + 1]).toBe('0');
    expect(JSON.parse(a[a.indexOf('--metadata') + 1])).toEqual({ custom_thing: 'x' });
    // The key travels in the environment only.
    expect(inv.env).toEqual({ OPENAI_API_KEY: 'sk-secret' });
    expect(a.join(' ')).not.toContain('sk-secret');
  });

  it('uses the chat API with a chat template when asked, and passes model parameters through', () => {
    const inv = buildLmEvalInvocation(job({}, { api: 'chat', max_gen_toks: 64 }), [0], undefined, '/out', undefined);
    expect(inv.modelType).toBe('local-chat-completions');
    expect(inv.args).toContain('--apply_chat_template');
    expect(inv.args[inv.args.indexOf('--model_args') + 1]).toBe('base_url=http://m:8000/v1/chat/completions,model=org/model,max_retries=3,timeout=300,max_gen_toks=64');
    expect(inv.env).toEqual({});
  });
});

describe('lm-eval results', () => {
  it('maps metric,filter keys and keeps stderrs, dropping N/A', () => {
    expect(taskMetrics({ alias: 'x', 'acc,none': 0.5, 'acc_stderr,none': 0.1, 'acc_norm,none': 0.6, 'acc_norm_stderr,none': 'N/A' })).toEqual({
      acc: 0.5,
      acc_stderr: 0.1,
      acc_norm: 0.6,
    });
    expect(taskMetrics({ 'exact_match,strict-match': 0.3, 'exact_match,flexible-extract': 0.4 })).toEqual({
      exact_match: 0.3,
      'exact_match_strict-match': 0.3,
      'exact_match_flexible-extract': 0.4,
    });
  });

  it('reads every task and its sample count', () => {
    const r = parseResults({ results: { a: { 'acc,none': 1 } }, 'n-samples': { a: { effective: 10 } } });
    expect(r.get('a')).toEqual({ metrics: { acc: 1 }, samples: 10 });
  });
});

describe('progressFromLine', () => {
  it.each([
    ['2026 INFO [api.task:312] Building contexts for demo_mc on rank 0...', { phase: 'loading_data' }],
    ['2026 INFO [evaluator:589] Running loglikelihood requests', { phase: 'running_evaluation' }],
    ['Requesting API:  37%|███▋      | 37/100 [00:01<00:02, 30.0it/s]', { phase: 'running_evaluation', done: 37, total: 100 }],
    ['INFO [loggers.evaluation_tracker:247] Saving results aggregated', { phase: 'persisting_artifacts' }],
    ['something else', undefined],
  ])('%s', (line, expected) => {
    expect(progressFromLine(line)).toEqual(expected);
  });
});
