import { artifactFiles, mediaType, withArtifactLinks } from './artifacts';
import { BenchmarkResult } from './types';

const result: BenchmarkResult = {
  id: 'arc',
  provider_id: 'lm_evaluation_harness',
  benchmark_index: 2,
  artifacts: { 'lm_eval.results': '/data/jobs/j/u/results.json', 'lm_eval.samples': '/data/jobs/j/u/samples_arc.jsonl', oci_reference: 'quay.io/x/y:1', 'copy.results': '/other/results.json' },
  logs_path: '/data/jobs/j/u/run.log',
};

describe('artifactFiles', () => {
  it('lists the files a result names by file name, with the run log, and leaves other values alone', () => {
    expect(artifactFiles(result)).toEqual([
      { name: 'results.json', keys: ['lm_eval.results', 'copy.results'], path: '/data/jobs/j/u/results.json' },
      { name: 'samples_arc.jsonl', keys: ['lm_eval.samples'], path: '/data/jobs/j/u/samples_arc.jsonl' },
      { name: 'run.log', keys: ['logs'], path: '/data/jobs/j/u/run.log' },
    ]);
  });

  it('ignores what is not an absolute server path', () => {
    expect(artifactFiles({ artifacts: { a: 'relative/x.json', b: '//host/x', c: 7, d: '/ends/with/' } })).toEqual([]);
    expect(artifactFiles(undefined)).toEqual([]);
  });
});

describe('withArtifactLinks', () => {
  it('replaces server paths by download links and adds the list link', () => {
    const shown = withArtifactLinks('j 1', result);
    expect(shown.artifacts_url).toBe('/api/v1/evaluations/jobs/j%201/benchmarks/2/artifacts');
    expect(shown.logs_path).toBe('/api/v1/evaluations/jobs/j%201/benchmarks/2/logs');
    expect(shown.artifacts).toEqual({
      'lm_eval.results': '/api/v1/evaluations/jobs/j%201/benchmarks/2/artifacts/results.json',
      'lm_eval.samples': '/api/v1/evaluations/jobs/j%201/benchmarks/2/artifacts/samples_arc.jsonl',
      oci_reference: 'quay.io/x/y:1',
      'copy.results': '/api/v1/evaluations/jobs/j%201/benchmarks/2/artifacts/results.json',
    });
  });
});

describe('mediaType', () => {
  it.each([
    ['results.json', 'application/json'],
    ['samples.jsonl', 'application/x-ndjson'],
    ['report.html', 'text/html'],
    ['run.log', 'text/plain'],
    ['blob.bin', 'application/octet-stream'],
  ])('%s -> %s', (name, type) => expect(mediaType(name)).toBe(type));
});
