import { otelRoute } from './otel-route';

describe('otelRoute', () => {
  it.each([
    ['/api/v1/evaluations/jobs/:id', '/api/v1/evaluations/jobs/{id}'],
    ['/api/v1/evaluations/jobs/:id/benchmarks/:index/logs', '/api/v1/evaluations/jobs/{id}/benchmarks/{benchmark_index}/logs'],
    ['/api/v1/health', '/api/v1/health'],
    ['unmatched', 'not_found'],
  ])('%s -> %s', (route, expected) => {
    expect(otelRoute(route)).toBe(expected);
  });
});
