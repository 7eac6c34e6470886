import { createHash, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import YAML from 'yaml';
import { ConfigError } from '../config/app-config';
import { Authenticator, Identity, ROLES, Role } from './identity';

interface Entry {
  hash: Buffer;
  identity: Identity;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Tokens from a file (YAML or JSON): `tokens: [{token | token_sha256, user, tenants, role}]`.
 * Re-read when it changes, so tokens can be added or revoked without a restart; a file that no
 * longer parses keeps the last good list and says so.
 */
export class TokenFileAuthenticator implements Authenticator {
  private entries: Entry[] = [];
  private mtimeMs = -1;

  constructor(private readonly file: string) {
    this.entries = parseTokenFile(fs.readFileSync(file, 'utf8'), file);
    this.mtimeMs = fs.statSync(file).mtimeMs;
  }

  async authenticate(token: string): Promise<Identity | undefined> {
    this.reloadIfChanged();
    const h = sha256(token);
    return this.entries.find((e) => timingSafeEqual(e.hash, h))?.identity;
  }

  private reloadIfChanged(): void {
    let mtime: number;
    try {
      mtime = fs.statSync(this.file).mtimeMs;
    } catch {
      return;
    }
    if (mtime === this.mtimeMs) return;
    this.mtimeMs = mtime;
    try {
      this.entries = parseTokenFile(fs.readFileSync(this.file, 'utf8'), this.file);
    } catch (e) {
      process.stderr.write(`AUTH_TOKEN_FILE ${this.file} could not be read; keeping the previous tokens: ${(e as Error).message}\n`);
    }
  }
}

export function parseTokenFile(text: string, where: string): Entry[] {
  const doc = YAML.parse(text) as { tokens?: unknown } | unknown[];
  const list = Array.isArray(doc) ? doc : (doc as { tokens?: unknown })?.tokens;
  if (!Array.isArray(list)) throw new ConfigError(`${where}: expected a list under 'tokens'`);
  return list.map((raw, i) => {
    const e = raw as { token?: unknown; token_sha256?: unknown; user?: unknown; tenants?: unknown; role?: unknown };
    const at = `${where}: tokens[${i}]`;
    let hash: Buffer;
    if (typeof e.token === 'string' && e.token.length >= 16) hash = sha256(e.token);
    else if (typeof e.token_sha256 === 'string' && /^[0-9a-f]{64}$/i.test(e.token_sha256)) hash = Buffer.from(e.token_sha256, 'hex');
    else throw new ConfigError(`${at}: needs 'token' (16 characters or more) or 'token_sha256' (64 hex digits)`);
    if (typeof e.user !== 'string' || e.user === '') throw new ConfigError(`${at}: 'user' is required`);
    const role = (e.role ?? 'submitter') as Role;
    if (!ROLES.includes(role)) throw new ConfigError(`${at}: 'role' must be one of ${ROLES.join(', ')}`);
    let tenants: string[] | '*';
    if (e.tenants === '*' || e.tenants === undefined) tenants = '*';
    else if (Array.isArray(e.tenants) && e.tenants.every((t) => typeof t === 'string')) tenants = e.tenants as string[];
    else throw new ConfigError(`${at}: 'tenants' must be '*' or a list of names`);
    return { hash, identity: { user: e.user, tenants, role } };
  });
}
