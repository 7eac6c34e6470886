import { credentialsFromDockerConfig } from '../sdk/adapter/oci/persister';
import { parseChallenge } from '../sdk/adapter/oci/registry-client';

/** Where the benchmark's OCI artifacts go and with which credentials (sidecar_config.json `oci`). */
export interface OciTarget {
  /** Registry host, e.g. quay.io or registry.internal:5000. */
  host: string;
  /** The only repository the adapter may push to through the sidecar, e.g. org/eval-results. */
  repository: string;
  /** A docker config.json (the `exports.oci.k8s.connection` Secret's .dockerconfigjson). */
  auth_config_path?: string;
  /** Plain HTTP to the registry (test and lab registries only). */
  insecure?: boolean;
}

interface CachedAuth {
  header: string | undefined;
  expiresAt: number;
}

/** user/password for a registry from a docker config.json, if it has them (the SDK reads the file). */
export function dockerCredentials(configPath: string | undefined, host: string): { username: string; password: string } | undefined {
  const c = credentialsFromDockerConfig(configPath, host);
  return c?.username !== undefined ? { username: c.username, password: c.password ?? '' } : undefined;
}

export { parseChallenge };

/**
 * The registry's auth handshake done on the adapter's behalf: the adapter pushes to the sidecar
 * without credentials; the sidecar asks the registry how to authenticate (/v2/ challenge), gets a
 * bearer token for push and pull on the one repository with the docker-config credentials, and
 * caches it until shortly before it expires.
 */
export class RegistryAuth {
  private readonly cache = new Map<string, CachedAuth>();

  constructor(private readonly target: OciTarget) {}

  get origin(): string {
    return `${this.target.insecure ? 'http' : 'https'}://${this.target.host}`;
  }

  invalidate(repository: string): void {
    this.cache.delete(repository);
  }

  async authorization(repository: string): Promise<string | undefined> {
    const hit = this.cache.get(repository);
    if (hit && hit.expiresAt > Date.now()) return hit.header;
    const ping = await fetch(`${this.origin}/v2/`, { signal: AbortSignal.timeout(10000) });
    let header: string | undefined;
    let ttlSeconds = 300;
    if (ping.status === 401) {
      const challenge = parseChallenge(ping.headers.get('www-authenticate'));
      const creds = dockerCredentials(this.target.auth_config_path, this.target.host);
      const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
      if (challenge?.scheme === 'basic') header = basic;
      else if (challenge?.scheme === 'bearer' && challenge.params.realm) {
        const url = new URL(challenge.params.realm);
        if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
        url.searchParams.set('scope', `repository:${repository}:pull,push`);
        const res = await fetch(url, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(10000) });
        if (!res.ok) throw new Error(`the registry's token service answered ${res.status}`);
        const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
        const token = body.token ?? body.access_token;
        if (!token) throw new Error("the registry's token service sent no token");
        header = `Bearer ${token}`;
        ttlSeconds = body.expires_in ?? 60;
      }
    }
    // Renew a little early so a long upload does not start with a token about to lapse.
    this.cache.set(repository, { header, expiresAt: Date.now() + Math.max(ttlSeconds - 30, 10) * 1000 });
    return header;
  }
}
