import { createHash } from 'crypto';

// The OCI distribution API calls a push needs (blobs: HEAD, POST upload, PATCH chunk, PUT; then
// PUT manifest), with the registry's auth handshake: anonymous, HTTP Basic, or a bearer token
// fetched from the realm a 401's WWW-Authenticate names (with the Basic credentials, if any).

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A registry token given directly (identitytoken / registrytoken). */
  token?: string;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface RegistryOptions {
  host: string;
  repository: string;
  credentials?: RegistryCredentials;
  /** Plain HTTP (a local or test registry). */
  insecure?: boolean;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** `Bearer realm="…",service="…",scope="…"` → its scheme and parameters. */
export function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined;
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1]] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

export class RegistryClient {
  private authorization?: string;
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly o: RegistryOptions) {
    this.base = `${o.insecure ? 'http' : 'https'}://${o.host}`;
    this.fetchFn = o.fetch ?? fetch;
  }

  get reference(): string {
    return `${this.o.host}/${this.o.repository}`;
  }

  /** A request with the current authorization; on a 401, the handshake once, then again. */
  async request(method: string, pathOrUrl: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const send = () =>
      this.fetchFn(url, {
        method,
        headers: { ...init.headers, ...(this.authorization ? { Authorization: this.authorization } : {}) },
        body: init.body,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 120_000),
      });
    let res = await send();
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel();
      if (!challenge) throw new RegistryError(`${method} ${url}: 401 without an authentication challenge`, 401);
      this.authorization = await this.authorize(challenge);
      res = await send();
      if (res.status === 401) throw new RegistryError(`${method} ${url}: the registry refused the credentials (401): ${(await res.text()).slice(0, 200)}`, 401);
    }
    return res;
  }

  private async authorize(c: { scheme: string; params: Record<string, string> }): Promise<string> {
    const creds = this.o.credentials;
    const basic = creds?.username !== undefined ? `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}` : undefined;
    if (c.scheme === 'basic') {
      if (!basic) throw new RegistryError(`the registry ${this.o.host} asks for a username and password, and none were given`, 401);
      return basic;
    }
    if (c.scheme !== 'bearer' || !c.params.realm) throw new RegistryError(`the registry ${this.o.host} asks for '${c.scheme}' authentication, which is not supported`, 401);
    const q = new URLSearchParams();
    if (c.params.service) q.set('service', c.params.service);
    // Push needs pull and push on the repository, whatever the challenge's scope said.
    q.set('scope', `repository:${this.o.repository}:pull,push`);
    const res = await this.fetchFn(`${c.params.realm}?${q.toString()}`, { headers: { ...(basic ? { Authorization: basic } : {}), ...(creds?.token ? { Authorization: `Bearer ${creds.token}` } : {}) }, signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new RegistryError(`the token service ${c.params.realm} answered ${res.status}: ${(await res.text()).slice(0, 200)}`, res.status);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token service ${c.params.realm} gave no token`, 401);
    return `Bearer ${token}`;
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${this.o.repository}/blobs/${digest}`);
    return res.status === 200;
  }

  /** Uploads a blob: in one PUT when small, else in PATCH chunks of `chunkSize`. */
  async pushBlob(data: Buffer, digest: string, chunkSize: number): Promise<void> {
    if (await this.hasBlob(digest)) return;
    const start = await this.request('POST', `/v2/${this.o.repository}/blobs/uploads/`);
    if (start.status !== 202) throw new RegistryError(`starting an upload to ${this.reference} answered ${start.status}: ${(await start.text()).slice(0, 200)}`, start.status);
    let location = this.absolute(start.headers.get('location'));
    if (data.length > chunkSize) {
      for (let offset = 0; offset < data.length; offset += chunkSize) {
        const chunk = data.subarray(offset, Math.min(data.length, offset + chunkSize));
        const res = await this.request('PATCH', location, {
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + chunk.length - 1}`, 'Content-Length': String(chunk.length) },
          body: chunk,
        });
        if (res.status !== 202) throw new RegistryError(`uploading bytes ${offset}- to ${this.reference} answered ${res.status}: ${(await res.text()).slice(0, 200)}`, res.status);
        location = this.absolute(res.headers.get('location'));
      }
      const done = await this.request('PUT', withDigest(location, digest), { headers: { 'Content-Length': '0' } });
      if (done.status !== 201) throw new RegistryError(`closing the upload to ${this.reference} answered ${done.status}: ${(await done.text()).slice(0, 200)}`, done.status);
      return;
    }
    const res = await this.request('PUT', withDigest(location, digest), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) }, body: data });
    if (res.status !== 201) throw new RegistryError(`uploading a blob to ${this.reference} answered ${res.status}: ${(await res.text()).slice(0, 200)}`, res.status);
  }

  /** PUTs the manifest under `tag`; returns the digest the registry reports (checked against ours). */
  async pushManifest(manifest: Buffer, mediaType: string, tag: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${this.o.repository}/manifests/${tag}`, { headers: { 'Content-Type': mediaType }, body: manifest });
    if (res.status !== 201) throw new RegistryError(`pushing the manifest to ${this.reference}:${tag} answered ${res.status}: ${(await res.text()).slice(0, 300)}`, res.status);
    const ours = sha256(manifest);
    const theirs = res.headers.get('docker-content-digest');
    if (theirs && theirs !== ours) throw new RegistryError(`the registry stored the manifest as ${theirs}, not ${ours}`, 500);
    return ours;
  }

  private absolute(location: string | null): string {
    if (!location) throw new RegistryError(`the registry ${this.o.host} gave no upload location`, 500);
    return location.startsWith('http') ? location : `${this.base}${location}`;
  }
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}
