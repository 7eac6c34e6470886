import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dockerCredentials, parseChallenge } from './registry-auth';

describe('registry auth helpers', () => {
  it('parses Bearer and Basic challenges', () => {
    expect(parseChallenge('Bearer realm="https://quay.io/v2/auth",service="quay.io",scope="repository:o/r:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://quay.io/v2/auth', service: 'quay.io', scope: 'repository:o/r:pull' },
    });
    expect(parseChallenge('Basic realm="Registry"')).toEqual({ scheme: 'basic', params: { realm: 'Registry' } });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it('reads credentials from a docker config (auth or username/password, with or without scheme)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dockercfg-')), 'config.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        auths: {
          'quay.io': { auth: Buffer.from('org+robot:tok:en').toString('base64') },
          'https://registry.example:5000': { username: 'u', password: 'p' },
        },
      }),
    );
    expect(dockerCredentials(file, 'quay.io')).toEqual({ username: 'org+robot', password: 'tok:en' });
    expect(dockerCredentials(file, 'registry.example:5000')).toEqual({ username: 'u', password: 'p' });
    expect(dockerCredentials(file, 'ghcr.io')).toBeUndefined();
    expect(dockerCredentials('/nonexistent', 'quay.io')).toBeUndefined();
  });
});
