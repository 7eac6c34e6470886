import { metricKey, toMlflowMetrics, toParams } from './mlflow-names';

describe('MLflow names', () => {
  it('makes metric keys valid for MLflow', () => {
    expect(metricKey('acc,none')).toBe('acc_none');
    expect(metricKey('pass@1')).toBe('pass_1');
    expect(metricKey('exact_match_strict-match')).toBe('exact_match_strict-match');
    expect(metricKey('/a//b')).toBe('a/b');
    expect(metricKey('x'.repeat(300))).toHaveLength(250);
  });

  it('keeps numeric metrics only, booleans as 0/1', () => {
    expect(toMlflowMetrics({ acc: 0.5, label: 'x', ok: true, bad: NaN }, 1)).toEqual([
      { key: 'acc', value: 0.5, timestamp: 1, step: 0 },
      { key: 'ok', value: 1, timestamp: 1, step: 0 },
    ]);
  });

  it('serialises params and drops empty ones', () => {
    expect(toParams({ a: 1, b: undefined, c: { x: 1 }, d: 'text' })).toEqual([
      { key: 'a', value: '1' },
      { key: 'c', value: '{"x":1}' },
      { key: 'd', value: 'text' },
    ]);
  });
});
