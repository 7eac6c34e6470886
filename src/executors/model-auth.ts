import * as fs from 'fs';
import * as path from 'path';
import { AppConfig } from '../core/config/app-config';
import { secretFile, secretRefRefusal } from '../domain/secret-ref';

export class SecretRefError extends Error {}

/**
 * The model API key for runs on this machine. A reference that is not allowed, or names a
 * variable or file that does not exist, is an error with what to do (not a silent 401 later).
 * A file may hold the key itself, or be a folder with an `api-key` file (a mounted Secret).
 */
export function readModelApiKey(ref: string | undefined, cfg: Pick<AppConfig, 'secrets'>): string | undefined {
  return readSecretRef(ref, cfg, 'model.auth.secret_ref');
}

/** A secret a reference names (env:NAME, or a file or mounted Secret in SECRETS_DIR); `field` names it in errors. */
export function readSecretRef(ref: string | undefined, cfg: Pick<AppConfig, 'secrets'>, field: string): string | undefined {
  if (!ref) return undefined;
  const refusal = secretRefRefusal(ref, cfg);
  if (refusal) throw new SecretRefError(`${field}: ${refusal}`);
  if (ref.startsWith('env:')) {
    const v = process.env[ref.slice(4)];
    if (!v) throw new SecretRefError(`${field}: the environment variable ${ref.slice(4)} is not set on worker ${process.env.HOSTNAME ?? ''}`.trim());
    return v.trim();
  }
  let file = secretFile(ref, cfg.secrets.dir)!;
  try {
    // Not followed outside the folder: a link from inside to /etc/… is refused too.
    file = fs.realpathSync(file);
    if (!file.startsWith(fs.realpathSync(cfg.secrets.dir) + path.sep)) throw new SecretRefError(`${field}: '${ref}' leads outside ${cfg.secrets.dir}`);
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'api-key');
    const key = fs.readFileSync(file, 'utf8').trim();
    if (!key) throw new SecretRefError(`${field}: ${file} is empty`);
    return key;
  } catch (e) {
    if (e instanceof SecretRefError) throw e;
    throw new SecretRefError(`${field}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
