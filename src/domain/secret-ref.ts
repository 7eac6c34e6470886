import * as path from 'path';

interface SecretPlaces {
  secrets: { envPrefix: string; dir: string };
}

/**
 * Where a `model.auth.secret_ref` may point on this machine, checked at submit and again when the
 * run starts: `env:NAME` for a variable that starts with SECRET_ENV_PREFIX, or a file inside
 * SECRETS_DIR (`file:///…` or a bare name, as a Kubernetes Secret's name would be). Anything else
 * (the worker's REDIS_URL, /etc/shadow) is refused. Returns why not, or undefined.
 */
export function secretRefRefusal(ref: string, cfg: SecretPlaces, runtime: 'local' | 'kubernetes' = 'local'): string | undefined {
  // On Kubernetes the reference names a Secret in the tenant's namespace, mounted into the pod.
  if (runtime === 'kubernetes') return /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(ref) ? undefined : `'${ref}' is not a Kubernetes Secret name`;
  const { envPrefix, dir } = cfg.secrets;
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `'${ref}' is not a valid environment variable reference`;
    if (!envPrefix || !name.startsWith(envPrefix)) return `environment secrets must be named ${envPrefix || '(none allowed)'}*; '${name}' is not`;
    return undefined;
  }
  const file = secretFile(ref, dir);
  if (!file) return `file secrets must lie inside ${dir}; '${ref}' does not`;
  return undefined;
}

export function secretFile(ref: string, dir: string): string | undefined {
  let p: string;
  if (ref.startsWith('file://')) {
    try {
      p = new URL(ref).pathname;
    } catch {
      return undefined;
    }
  } else if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ref)) p = path.join(dir, ref);
  else return undefined;
  const resolved = path.resolve(p);
  return resolved.startsWith(path.resolve(dir) + path.sep) ? resolved : undefined;
}

