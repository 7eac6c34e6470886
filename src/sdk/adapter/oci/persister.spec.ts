import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { credentialsFromDockerConfig, mediaTypeOf } from './persister';
import { parseChallenge } from './registry-client';

describe('OCI persister helpers', () => {
  it('reads a registry challenge', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="evalhub"')).toEqual({ scheme: 'basic', params: { realm: 'evalhub' } });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it('finds credentials for a host in a docker config (auth, username/password, token)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dockercfg-')), 'config.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('robot:pa:ss').toString('base64') }, 'https://ghcr.io': { username: 'u', password: 'p' }, 'r.example': { identitytoken: 'tok' } } }),
    );
    expect(credentialsFromDockerConfig(file, 'quay.io')).toEqual({ username: 'robot', password: 'pa:ss' });
    expect(credentialsFromDockerConfig(file, 'ghcr.io')).toEqual({ username: 'u', password: 'p' });
    expect(credentialsFromDockerConfig(file, 'r.example')).toEqual({ token: 'tok' });
    expect(credentialsFromDockerConfig(file, 'other.io')).toBeUndefined();
    expect(credentialsFromDockerConfig(undefined, 'quay.io')).toBeUndefined();
  });

  it('gives each file a media type by its extension', () => {
    expect(['a.json', 'b.JSONL', 'c.log', 'd.bin'].map(mediaTypeOf)).toEqual(['application/json', 'application/jsonl', 'text/plain', 'application/octet-stream']);
  });
});
