import * as fs from 'fs';
import * as path from 'path';
import { RegistryClient, RegistryCredentials, sha256 } from './registry-client';

/** Where an artifact goes (the JobSpec's exports.oci.coordinates, in TypeScript names). */
export interface OCICoordinates {
  /** Registry host[:port], e.g. quay.io or 127.0.0.1:5000. */
  ociHost: string;
  /** Repository, e.g. my-org/eval-results. */
  ociRepository: string;
  /** Tag; a tag from the job and benchmark unless given. */
  ociTag?: string;
  annotations?: Record<string, string>;
}

export interface OCIArtifactSpec {
  /** Files to push, one layer each, or one folder whose regular files are pushed. */
  files: string[] | string;
  coordinates: OCICoordinates;
  /** The manifest's artifactType (OCI image-spec 1.1). */
  artifactType?: string;
  /** Manifest annotations (job id, benchmark id, model name, score …), added to the coordinates'. */
  annotations?: Record<string, string>;
}

export interface OCIArtifactResult {
  /** The manifest digest (sha256:…), as the registry stores it. */
  digest: string;
  /** host/repository@digest. */
  reference: string;
  /** host/repository:tag. */
  taggedReference: string;
  /** Size of the manifest in bytes (its descriptor size). */
  size: number;
  /** Bytes of every layer together. */
  totalBytes: number;
  layers: { title: string; digest: string; size: number; mediaType: string }[];
}

/** What stores an adapter's artifacts; OCIArtifactPersister pushes to a registry, a custom store implements the same. */
export interface Persister {
  persist(spec: OCIArtifactSpec): Promise<OCIArtifactResult>;
}

export const EVALHUB_ARTIFACT_TYPE = 'application/vnd.evalhub.results.v1+json';
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY_CONFIG = Buffer.from('{}');
const EMPTY_TYPE = 'application/vnd.oci.empty.v1+json';

const MEDIA_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.parquet': 'application/vnd.apache.parquet',
};
export const mediaTypeOf = (file: string) => MEDIA_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

type DockerAuths = Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>;

/**
 * Registry credentials from a docker config.json: auths[host] (also as https://host, http://host,
 * and Docker Hub's old key) with username/password, `auth` (base64 user:password), or a token.
 * A missing or unreadable file means none.
 */
export function credentialsFromDockerConfig(file: string | undefined, host: string): RegistryCredentials | undefined {
  if (!file) return undefined;
  let auths: DockerAuths;
  try {
    auths = (JSON.parse(fs.readFileSync(file, 'utf8')) as { auths?: DockerAuths }).auths ?? {};
  } catch {
    return undefined;
  }
  const entry = auths[host] ?? auths[`https://${host}`] ?? auths[`http://${host}`] ?? (host === 'docker.io' ? auths['https://index.docker.io/v1/'] : undefined);
  if (!entry) return undefined;
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (entry.auth) {
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = plain.indexOf(':');
    if (i > 0) return { username: plain.slice(0, i), password: plain.slice(i + 1) };
  }
  const token = entry.registrytoken ?? entry.identitytoken;
  return token ? { token } : undefined;
}

export interface OCIPersisterOptions {
  /** Explicit credentials; else the docker config at `authConfigPath` (OCI_AUTH_CONFIG_PATH). */
  credentials?: RegistryCredentials;
  authConfigPath?: string;
  /** Plain HTTP to the registry (OCI_INSECURE=true). */
  insecure?: boolean;
  /** Blobs larger than this go up in chunks (default 8 MiB). */
  chunkSize?: number;
  fetch?: typeof fetch;
}

/**
 * Pushes files as one OCI artifact: an OCI image-spec 1.1 manifest with `artifactType`, the empty
 * config, one layer per file (media type by extension, file name as its title annotation) and the
 * spec's annotations; blobs the registry has are not sent again. Returns the manifest's digest.
 */
export class OCIArtifactPersister implements Persister {
  constructor(private readonly o: OCIPersisterOptions = {}) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): OCIArtifactPersister {
    return new OCIArtifactPersister({ authConfigPath: env.OCI_AUTH_CONFIG_PATH || undefined, insecure: env.OCI_INSECURE === 'true' });
  }

  async persist(spec: OCIArtifactSpec): Promise<OCIArtifactResult> {
    const files = listFiles(spec.files);
    if (files.length === 0) throw new Error('an OCI artifact needs at least one file');
    const c = spec.coordinates;
    const tag = c.ociTag ?? 'latest';
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag)) throw new Error(`'${tag}' is not a valid OCI tag`);
    const registry = new RegistryClient({
      host: c.ociHost,
      repository: c.ociRepository,
      credentials: this.o.credentials ?? credentialsFromDockerConfig(this.o.authConfigPath, c.ociHost),
      insecure: this.o.insecure,
      fetch: this.o.fetch,
    });
    const chunk = this.o.chunkSize ?? 8 * 1024 * 1024;
    const layers: OCIArtifactResult['layers'] = [];
    for (const file of files) {
      const data = fs.readFileSync(file);
      const digest = sha256(data);
      await registry.pushBlob(data, digest, chunk);
      layers.push({ title: path.basename(file), digest, size: data.length, mediaType: mediaTypeOf(file) });
    }
    await registry.pushBlob(EMPTY_CONFIG, sha256(EMPTY_CONFIG), chunk);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST_TYPE,
        artifactType: spec.artifactType ?? EVALHUB_ARTIFACT_TYPE,
        config: { mediaType: EMPTY_TYPE, digest: sha256(EMPTY_CONFIG), size: EMPTY_CONFIG.length, data: EMPTY_CONFIG.toString('base64') },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, annotations: { 'org.opencontainers.image.title': l.title } })),
        annotations: { 'org.opencontainers.image.created': new Date().toISOString(), ...c.annotations, ...spec.annotations },
      }),
    );
    const digest = await registry.pushManifest(manifest, MANIFEST_TYPE, tag);
    return {
      digest,
      reference: `${registry.reference}@${digest}`,
      taggedReference: `${registry.reference}:${tag}`,
      size: manifest.length,
      totalBytes: layers.reduce((a, l) => a + l.size, 0),
      layers,
    };
  }
}

function listFiles(files: string[] | string): string[] {
  if (Array.isArray(files)) return files;
  if (!fs.statSync(files).isDirectory()) return [files];
  return fs
    .readdirSync(files, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(files, e.name))
    .sort();
}
