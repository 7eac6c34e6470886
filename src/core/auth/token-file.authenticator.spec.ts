import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHash } from 'crypto';
import { parseTokenFile, TokenFileAuthenticator } from './token-file.authenticator';

describe('token file authenticator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-tokens-'));
  const file = path.join(dir, 'tokens.yaml');

  it('maps tokens (plain or hashed) to identities and re-reads the file when it changes', async () => {
    const hashed = createHash('sha256').update('viewer-token-0123456789').digest('hex');
    fs.writeFileSync(file, `tokens:\n  - {token: alice-token-0123456789, user: alice, tenants: [team-a], role: submitter}\n  - {token_sha256: ${hashed}, user: vic, role: viewer}\n`);
    const auth = new TokenFileAuthenticator(file);
    expect(await auth.authenticate('alice-token-0123456789')).toEqual({ user: 'alice', tenants: ['team-a'], role: 'submitter' });
    expect(await auth.authenticate('viewer-token-0123456789')).toEqual({ user: 'vic', tenants: '*', role: 'viewer' });
    expect(await auth.authenticate('nope')).toBeUndefined();
    fs.writeFileSync(file, `tokens:\n  - {token: bob-token-0123456789abc, user: bob, role: admin}\n`);
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(await auth.authenticate('alice-token-0123456789')).toBeUndefined();
    expect((await auth.authenticate('bob-token-0123456789abc'))?.role).toBe('admin');
  });

  it.each([
    ['tokens: [{token: short, user: a}]', /16 characters/],
    ['tokens: [{token: long-enough-token-123}]', /'user' is required/],
    ['tokens: [{token: long-enough-token-123, user: a, role: root}]', /'role' must be one of/],
    ['tokens: [{token: long-enough-token-123, user: a, tenants: 3}]', /'tenants' must be/],
    ['{}', /expected a list/],
  ])('refuses %s', (text, msg) => {
    expect(() => parseTokenFile(text, 'f')).toThrow(msg);
  });
});
