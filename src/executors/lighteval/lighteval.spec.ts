import { apiFailure, lightevalMetrics, lightevalProgress, lightevalSampleScores } from './lighteval-results';
import { lightevalTasks } from './lighteval-tasks';

describe('lightevalTasks', () => {
  it('uses the id as the task with the few-shot count, and expands the catalog suites', () => {
    expect(lightevalTasks('gsm8k', 8)).toEqual({ tasks: ['gsm8k'], spec: 'gsm8k|8' });
    expect(lightevalTasks('commonsense_reasoning', 0)).toEqual({ tasks: ['hellaswag', 'piqa'], spec: 'hellaswag|0,piqa|0' });
    expect(lightevalTasks('custom', 0, 'capitals, other|2')).toEqual({ tasks: ['capitals', 'other'], spec: 'capitals|0,other|2' });
    // The catalog's pass@k settings go to the task's parametrizable metric.
    expect(lightevalTasks('math_500', 0, undefined, { k: 1, n: 3 })).toEqual({ tasks: ['math_500'], spec: 'math_500@k=1@n=3|0' });
  });

  it('refuses tasks that need log-likelihoods, pointing to lm-eval', () => {
    const r = lightevalTasks('arc:easy', 0);
    expect('error' in r && r.error).toContain('arc:easy needs');
    expect('error' in r && r.error).toContain('lm_evaluation_harness');
    expect('error' in lightevalTasks('language_understanding', 0)).toBe(true);
  });
});

describe('lightevalMetrics', () => {
  it('one task: its metrics, em also as exact_match', () => {
    expect(lightevalMetrics({ results: { 'capitals|0': { em: 0.75, em_stderr: 0.25 }, all: { em: 0.75, em_stderr: 0.25 } } })).toEqual({
      em: 0.75,
      em_stderr: 0.25,
      exact_match: 0.75,
      exact_match_stderr: 0.25,
    });
  });

  it('several tasks: the mean under the plain names and each task under its name', () => {
    const m = lightevalMetrics({ results: { 'a|0': { em: 1 }, 'b|0': { em: 0.5, note: 'x' }, all: { em: 0.75 } } });
    expect(m).toEqual({ em: 0.75, exact_match: 0.75, 'a/em': 1, 'b/em': 0.5 });
  });
});

describe('Lighteval output lines', () => {
  it.each([
    ['\x1b[32m[2026-12-02 00:31:50,100] [    INFO]: --- LOADING TASKS --- (pipeline.py:211)\x1b[0m', { phase: 'loading_data' }],
    ['[2026] [ INFO]: --- RUNNING MODEL --- (pipeline.py:300)', { phase: 'running_evaluation' }],
    ['\x1b[A 25%|██▌       | 1/4 [00:00<00:02,  1.04it/s]', { phase: 'running_evaluation', done: 1, total: 4 }],
    ['Splits:   0%|          | 0/1 [00:00<?, ?it/s]', undefined],
    ['[2026] [ INFO]: --- COMPUTING METRICS --- (pipeline.py:400)', { phase: 'post_processing' }],
  ])('%s', (line, expected) => {
    expect(lightevalProgress(line)).toEqual(expected);
  });

  it('recognises a failed model call, which Lighteval otherwise scores as a wrong answer', () => {
    expect(apiFailure('[2026] [ ERROR]: API call failed after 1 attempts, returning empty response. (litellm_model.py:253)')).toContain('API call failed after 1 attempts');
    expect(apiFailure('[2026] [ INFO]: --- RUNNING MODEL ---')).toBeUndefined();
  });
});

describe('lightevalSampleScores', () => {
  const row = (task: string, id: string, metric: Record<string, number>) => JSON.stringify({ task, id, metric });

  it('one task: the result names (em also as exact_match), keyed by task and document', () => {
    const s = lightevalSampleScores([row('capitals|0', '2', { em: 1 }), row('capitals|0', '3', { em: 0 }), '{"cut'].join('\n'));
    expect(s).toEqual([
      { id: 'capitals|0/2', scores: { em: 1, exact_match: 1 } },
      { id: 'capitals|0/3', scores: { em: 0, exact_match: 0 } },
    ]);
  });

  it('several tasks: only the per-task names, as the results give them', () => {
    const s = lightevalSampleScores([row('a|0', '1', { acc: 1 }), row('b|5', '1', { acc: 0 })].join('\n'));
    expect(s).toEqual([
      { id: 'a|0/1', scores: { 'a/acc': 1 } },
      { id: 'b|5/1', scores: { 'b/acc': 0 } },
    ]);
    expect(Object.keys(lightevalMetrics({ results: { 'a|0': { acc: 1 }, 'b|5': { acc: 0 }, all: { acc: 0.5 } } }))).toEqual(expect.arrayContaining(['a/acc', 'b/acc']));
  });
});
