import * as fs from 'fs';

/**
 * The model API key for runs on this machine, from model.auth.secret_ref: `file:///path` reads
 * the file, `env:NAME` (or a bare NAME that is set) reads the environment variable. In
 * Kubernetes the secret is mounted instead and this is not used.
 */
export function readModelApiKey(secretRef: string | undefined): string | undefined {
  if (!secretRef) return undefined;
  if (secretRef.startsWith('file://')) {
    try {
      return fs.readFileSync(new URL(secretRef), 'utf8').trim();
    } catch {
      return undefined;
    }
  }
  const name = secretRef.startsWith('env:') ? secretRef.slice(4) : secretRef;
  return process.env[name];
}
