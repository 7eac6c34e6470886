import { metricValueErrors } from './metric-values';

describe('metric values', () => {
  it.each([
    [{ acc: 0.5, n: 100, ok: true, label: 'pass', none: null, curve: [0.1, 0.2], tags: ['a', 'b'] }, 0],
    [{ acc: 1e308 }, 1],
    [{ acc: -1e16 }, 1],
    [{ acc: { nested: 1 } }, 1],
    [{ curve: [0.1, 1e308] }, 1],
    [{ deep: [[1]] }, 1],
    [{ s: 'x'.repeat(5000) }, 1],
  ])('%j gives %d error(s)', (metrics, n) => {
    expect(metricValueErrors(metrics as Record<string, unknown>)).toHaveLength(n);
  });

  it('names the metric', () => {
    expect(metricValueErrors({ acc: 1e308 })).toEqual(['metrics.acc must be a finite number within ±1000000000000000']);
  });
});
