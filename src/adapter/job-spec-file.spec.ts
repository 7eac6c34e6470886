import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JobSpecError, jobSpecPath, jobSpecProblems, readJobSpec } from './job-spec-file';

describe('the adapter reads its JobSpec', () => {
  const valid = { id: 'j1', provider_id: 'lighteval', benchmark_id: 'capitals', benchmark_index: 0, model: { url: 'http://m/v1', name: 'm' }, parameters: {}, callback_url: 'http://api/cb/t' };

  it('from EVALHUB_JOB_SPEC_PATH, else the Kubernetes mount', () => {
    expect(jobSpecPath({ EVALHUB_JOB_SPEC_PATH: '/x/job.json' })).toBe('/x/job.json');
    expect(jobSpecPath({})).toBe('/meta/job.json');
  });

  it('accepts a valid spec and names each problem of a bad one', () => {
    expect(jobSpecProblems(valid)).toEqual([]);
    expect(jobSpecProblems({ ...valid, id: '', benchmark_index: -1, model: { url: 'u' }, callback_url: 'ftp://x' })).toEqual([
      'id must be a non-empty string',
      'benchmark_index must be a whole number from 0',
      'model must have a url and a name',
      'callback_url must be an http(s) URL',
    ]);
    expect(jobSpecProblems([])).toEqual(['it must be a JSON object']);
  });

  it('says which file was missing or not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobspec-'));
    expect(() => readJobSpec(path.join(dir, 'none.json'))).toThrow(new RegExp(`cannot read the JobSpec at ${dir}/none.json`));
    fs.writeFileSync(path.join(dir, 'bad.json'), '{');
    expect(() => readJobSpec(path.join(dir, 'bad.json'))).toThrow(JobSpecError);
    fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify(valid));
    expect(readJobSpec(path.join(dir, 'ok.json')).benchmark_id).toBe('capitals');
  });
});
