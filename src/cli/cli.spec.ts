import { parseBenchmarkRef, parseParams, UsageError } from './commands';
import { jobExitCode } from './job-view';
import { bar, csv, table } from './render';

describe('CLI helpers', () => {
  it('draws bars, tables and CSV', () => {
    expect(bar(0.5, 10)).toBe('[#####.....]  50%');
    expect(bar(2, 4)).toBe('[####] 100%');
    expect(table(['A', 'BB'], [['x', 'y'], ['long', 'z']])).toBe('A     BB\n----  --\nx     y\nlong  z');
    expect(csv(['a', 'b'], [['1,2', 'say "hi"'], [undefined, 3]])).toBe('a,b\n"1,2","say ""hi"""\n,3');
  });

  it('reads benchmark references and parameters', () => {
    expect(parseBenchmarkRef('lm_evaluation_harness/arc_easy')).toEqual({ provider_id: 'lm_evaluation_harness', id: 'arc_easy' });
    expect(parseBenchmarkRef('hellaswag@lm_evaluation_harness')).toEqual({ provider_id: 'lm_evaluation_harness', id: 'hellaswag' });
    expect(() => parseBenchmarkRef('arc_easy')).toThrow(UsageError);
    expect(parseParams(['num_examples=5', 'tasks=["a","b"]', 'name=x=y', 'flag=true'])).toEqual({ num_examples: 5, tasks: ['a', 'b'], name: 'x=y', flag: true });
    expect(() => parseParams(['oops'])).toThrow(/give it as name=value/);
  });

  it('exits 0 only for a completed job that did not miss its threshold', () => {
    const job = (state: string, test?: { pass: boolean }, benchmarks: object[] = []) => ({ status: { state }, results: { test, benchmarks } }) as never;
    expect(jobExitCode(job('completed', { pass: true }))).toBe(0);
    expect(jobExitCode(job('completed', { pass: false }))).toBe(1);
    expect(jobExitCode(job('partially_failed', { pass: true }))).toBe(1);
    expect(jobExitCode(job('completed', undefined, [{ test: { pass: false } }]))).toBe(1);
    expect(jobExitCode(job('completed', undefined, [{ test: { pass: true } }]))).toBe(0);
  });
});
