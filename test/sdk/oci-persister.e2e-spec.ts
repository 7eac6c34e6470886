import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OCIArtifactPersister, RegistryError } from '../../src/sdk/adapter';
import { Registry } from '../support/registry';

// The SDK's OCI persister against the real CNCF distribution registry (Debian's docker-registry):
// anonymous, HTTP Basic (htpasswd) and the bearer-token handshake; the manifest and blobs are
// pulled back and their digests checked.

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function files(): { dir: string; small: string; big: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-oci-files-'));
  const small = path.join(dir, 'results.json');
  const big = path.join(dir, 'samples.jsonl');
  fs.writeFileSync(small, JSON.stringify({ accuracy: 0.75 }));
  // Larger than the chunk size below: it goes up in PATCH chunks.
  fs.writeFileSync(big, Array.from({ length: 400 }, (_, i) => JSON.stringify({ i, noise: randomBytes(16).toString('hex') })).join('\n'));
  return { dir, small, big };
}

/** Pulls the manifest back by tag and by digest and checks it against the files. */
async function checkPushed(registry: Registry, repo: string, tag: string, result: { digest: string; reference: string; size: number }, paths: string[]): Promise<void> {
  const byTag = await registry.get(`/v2/${repo}/manifests/${tag}`, MANIFEST);
  expect(byTag.status).toBe(200);
  const raw = Buffer.from(await byTag.arrayBuffer());
  expect(byTag.headers.get('docker-content-digest')).toBe(result.digest);
  expect(sha(raw)).toBe(result.digest);
  expect(raw.length).toBe(result.size);
  expect(result.reference).toBe(`${registry.host}/${repo}@${result.digest}`);
  const manifest = JSON.parse(raw.toString('utf8'));
  expect(manifest).toMatchObject({ schemaVersion: 2, mediaType: MANIFEST, artifactType: 'application/vnd.evalhub.results.v1+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 } });
  expect(manifest.layers.map((l: any) => l.annotations['org.opencontainers.image.title'])).toEqual(paths.map((p) => path.basename(p)));
  for (const [i, p] of paths.entries()) {
    const data = fs.readFileSync(p);
    expect(manifest.layers[i]).toMatchObject({ digest: sha(data), size: data.length });
    const blob = await registry.get(`/v2/${repo}/blobs/${sha(data)}`);
    expect(Buffer.from(await blob.arrayBuffer()).equals(data)).toBe(true);
  }
  expect((await registry.get(`/v2/${repo}/manifests/${result.digest}`, MANIFEST)).status).toBe(200);
}

describe('OCI artifact persister (real registry)', () => {
  const registries: Registry[] = [];
  afterAll(async () => {
    for (const r of registries) await r.stop();
  });
  const start = async (auth?: ConstructorParameters<typeof Registry>[0]) => {
    const r = await new Registry(auth).start();
    registries.push(r);
    return r;
  };

  it('pushes files anonymously, monolithic and chunked, with the annotations; the digest is the registry\'s', async () => {
    const registry = await start();
    const { small, big } = files();
    const persister = new OCIArtifactPersister({ insecure: true, chunkSize: 4096 });
    const result = await persister.persist({
      files: [small, big],
      coordinates: { ociHost: registry.host, ociRepository: 'evalhub/results', ociTag: 'job-1', annotations: { 'io.evalhub.job.id': 'job-1' } },
      annotations: { 'io.evalhub.score': '0.75' },
    });
    await checkPushed(registry, 'evalhub/results', 'job-1', result, [small, big]);
    const manifest = JSON.parse(Buffer.from(await (await registry.get(`/v2/evalhub/results/manifests/job-1`, MANIFEST)).arrayBuffer()).toString());
    expect(manifest.annotations).toMatchObject({ 'io.evalhub.job.id': 'job-1', 'io.evalhub.score': '0.75', 'org.opencontainers.image.created': expect.any(String) });
    expect(manifest.layers.map((l: any) => l.mediaType)).toEqual(['application/json', 'application/jsonl']);
    // The same files again: the blobs are there, only the manifest is new.
    const again = await persister.persist({ files: [small, big], coordinates: { ociHost: registry.host, ociRepository: 'evalhub/results', ociTag: 'job-1-again' } });
    expect(again.layers.map((l) => l.digest)).toEqual(result.layers.map((l) => l.digest));
  });

  it('with htpasswd: credentials from a docker config file push; a wrong password is a 401 error', async () => {
    const registry = await start({ kind: 'htpasswd', user: 'robot', password: 's3cret' });
    const { dir, small } = files();
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('robot:s3cret').toString('base64') } } }));
    const result = await OCIArtifactPersister.fromEnv({ OCI_AUTH_CONFIG_PATH: config, OCI_INSECURE: 'true' }).persist({ files: [small], coordinates: { ociHost: registry.host, ociRepository: 'team/evals', ociTag: 'v1' } });
    await checkPushed(registry, 'team/evals', 'v1', result, [small]);
    const wrong = new OCIArtifactPersister({ insecure: true, credentials: { username: 'robot', password: 'nope' } });
    await expect(wrong.persist({ files: [small], coordinates: { ociHost: registry.host, ociRepository: 'team/evals', ociTag: 'v2' } })).rejects.toThrow(RegistryError);
    await expect(new OCIArtifactPersister({ insecure: true }).persist({ files: [small], coordinates: { ociHost: registry.host, ociRepository: 'team/evals' } })).rejects.toThrow(/asks for a username and password/);
  });

  it('with token auth: the bearer handshake through the realm the registry names, scoped to pull and push', async () => {
    const registry = await start({ kind: 'token', user: 'ci-bot', password: 'tok3n' });
    const { dir } = files();
    const result = await new OCIArtifactPersister({ insecure: true, credentials: { username: 'ci-bot', password: 'tok3n' } }).persist({ files: dir, coordinates: { ociHost: registry.host, ociRepository: 'org/evals', ociTag: 'run-7' } });
    // A folder: its files, sorted by name.
    await checkPushed(registry, 'org/evals', 'run-7', result, [path.join(dir, 'results.json'), path.join(dir, 'samples.jsonl')]);
    expect(registry.tokenRequests.some((t) => t.scope === 'repository:org/evals:pull,push' && t.authorization?.startsWith('Basic '))).toBe(true);
  });
});
