import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readModelApiKey } from './model-auth';
import { secretRefRefusal } from '../domain/secret-ref';
import { backendEnv } from './process-env';

describe('model secrets', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-secrets-'));
  const cfg = { secrets: { envPrefix: 'EVALHUB_SECRET_', dir } };
  fs.writeFileSync(path.join(dir, 'openai'), 'sk-file-123\n');
  fs.mkdirSync(path.join(dir, 'mounted'));
  fs.writeFileSync(path.join(dir, 'mounted', 'api-key'), 'sk-mounted');
  fs.symlinkSync('/etc/hostname', path.join(dir, 'escape'));

  it.each([
    ['env:REDIS_URL', /must be named EVALHUB_SECRET_\*/],
    ['env:EVALHUB_SECRET_X', undefined],
    ['file:///etc/shadow', /inside/],
    [`file://${dir}/../x`, /inside/],
    [`file://${dir}/openai`, undefined],
    ['openai', undefined],
    ['../openai', /inside/],
  ])('%s', (ref, refusal) => {
    const r = secretRefRefusal(ref, cfg);
    if (refusal) expect(r).toMatch(refusal);
    else expect(r).toBeUndefined();
  });

  it('reads allowed references and says what is wrong with the others', () => {
    process.env.EVALHUB_SECRET_TEST = 'sk-env';
    expect(readModelApiKey('env:EVALHUB_SECRET_TEST', cfg)).toBe('sk-env');
    expect(readModelApiKey('openai', cfg)).toBe('sk-file-123');
    expect(readModelApiKey(`file://${dir}/mounted`, cfg)).toBe('sk-mounted');
    expect(() => readModelApiKey('env:EVALHUB_SECRET_MISSING', cfg)).toThrow(/is not set/);
    expect(() => readModelApiKey('absent', cfg)).toThrow(/cannot read .*ENOENT/);
    expect(() => readModelApiKey('escape', cfg)).toThrow(/outside/);
    expect(() => readModelApiKey('env:REDIS_URL', cfg)).toThrow(/EVALHUB_SECRET_/);
  });

  it('gives backends a minimal environment', () => {
    const env = backendEnv(cfg, { EVALHUB_JOB_SPEC_PATH: '/x' }, { PATH: '/bin', REDIS_URL: 'redis://h', HF_HOME: '/hf', EVALHUB_SECRET_A: 's', AUTH_TOKEN_FILE: '/t', LC_ALL: 'C' });
    expect(env).toEqual({ PATH: '/bin', HF_HOME: '/hf', LC_ALL: 'C', EVALHUB_JOB_SPEC_PATH: '/x' });
  });
});
