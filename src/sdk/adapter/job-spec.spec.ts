import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JobSpec, JobSpecError, jobSpecProblems } from './job-spec';
import { AdapterConfigError, AdapterSettings } from './settings';

describe('JobSpec', () => {
  const valid = {
    id: 'j1',
    provider_id: 'p',
    benchmark_id: 'capitals',
    benchmark_index: 2,
    model: { url: 'http://m/v1', name: 'm' },
    parameters: { k: 1 },
    callback_url: 'http://api/cb/t',
    num_examples: 3,
    exports: { oci: { coordinates: { oci_host: 'quay.io', oci_repository: 'org/r', oci_tag: 't' } } },
  };

  it('reads the file EvalHub writes, in TypeScript names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobspec-'));
    fs.writeFileSync(path.join(dir, 'job.json'), JSON.stringify(valid));
    const spec = JobSpec.fromFile(undefined, { EVALHUB_JOB_SPEC_PATH: path.join(dir, 'job.json') });
    expect(spec).toMatchObject({ id: 'j1', providerId: 'p', benchmarkId: 'capitals', benchmarkIndex: 2, numExamples: 3, parameters: { k: 1 }, callbackUrl: 'http://api/cb/t' });
    expect(spec.ociExport).toEqual({ ociHost: 'quay.io', ociRepository: 'org/r', ociTag: 't', annotations: undefined });
  });

  it('names every problem of a bad spec, and which file was missing', () => {
    expect(jobSpecProblems(valid)).toEqual([]);
    expect(jobSpecProblems({ ...valid, id: '', benchmark_index: -1, model: { url: 'u' }, callback_url: 'ftp://x', exports: { oci: { coordinates: { oci_host: 'h' } } } })).toEqual([
      'id must be a non-empty string',
      'benchmark_index must be a whole number from 0',
      'model must have a url and a name',
      'callback_url must be an http(s) URL',
      'exports.oci.coordinates needs oci_host and oci_repository',
    ]);
    expect(() => JobSpec.parse([])).toThrow(new JobSpecError('the JobSpec is not valid: it must be a JSON object'));
    expect(() => JobSpec.fromFile('/nonexistent/job.json')).toThrow(/cannot read the JobSpec at \/nonexistent\/job.json/);
  });

  it('settings come from the environment and are checked before the run', () => {
    const s = AdapterSettings.fromEnv({ EVALHUB_MODE: 'k8s', EVALHUB_JOB_SPEC_PATH: '/nope/job.json', OCI_INSECURE: 'true', EVALHUB_TENANT: 'team-a', EVALHUB_WORK_DIR: os.tmpdir() });
    expect(s).toMatchObject({ mode: 'k8s', jobSpecPath: '/nope/job.json', ociInsecure: true, tenant: 'team-a' });
    expect(() => s.validateRuntime()).toThrow(AdapterConfigError);
    expect(() => s.validateRuntime()).toThrow(/no JobSpec at \/nope\/job.json/);
  });
});
