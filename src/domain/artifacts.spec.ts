import { artifactFiles, mediaType, withArtifactLinks } from './artifacts';
import { BenchmarkResult } from './types';

const result: BenchmarkResult = {
  id: 'arc',
  provider_id: 'lm_evaluation_harness',
  benchmark_index: 2,
  artifacts: { 'lm_eval.results': '/data/jobs/j 1/u/results.json', 'lm_eval.samples': '/data/jobs/j 1/u/samples_arc.jsonl', oci_reference: 'quay.io/x/y:1', 'copy.results': '/other/results.json' },
  logs_path: '/data/jobs/j 1/u/run.log',
};

describe('artifactFiles', () => {
  it('lists the files a result names by file name, with the run log, and leaves other values alone', () => {
    expect(artifactFiles('j 1', result)).toEqual([
      { name: 'results.json', keys: ['lm_eval.results'], path: '/data/jobs/j 1/u/results.json' },
      { name: 'samples_arc.jsonl', keys: ['lm_eval.samples'], path: '/data/jobs/j 1/u/samples_arc.jsonl' },
      { name: 'run.log', keys: ['logs'], path: '/data/jobs/j 1/u/run.log' },
    ]);
  });

  it('ignores what is not an absolute server path', () => {
    expect(artifactFiles('j 1', { artifacts: { a: 'relative/x.json', b: '//host/x', c: 7, d: '/data/jobs/j 1/ends/with/' } })).toEqual([]);
    expect(artifactFiles('j 1', undefined)).toEqual([]);
  });

  it("ignores paths outside the job's folder: another job's, an adapter pod's disk, a climb out", () => {
    expect(artifactFiles('j 1', { artifacts: { other: '/data/jobs/j 2/u/results.json', pod: '/opt/app/results.json', climb: '/data/jobs/j 1/../j 2/x.json' } })).toEqual([]);
    const shown = withArtifactLinks('j 1', { id: 'a', provider_id: 'p', benchmark_index: 0, artifacts: { pod: '/opt/app/results.json' }, logs_path: '/opt/app/run.log' });
    expect(shown.artifacts).toEqual({ pod: '/opt/app/results.json' });
    expect(shown.logs_path).toBe('/opt/app/run.log');
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
      'copy.results': '/other/results.json',
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
