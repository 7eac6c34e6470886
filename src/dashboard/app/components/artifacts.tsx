// A benchmark's files (results, samples, reports) as download links, from the artifacts list API.
import { useState } from 'preact/hooks';
import { ApiError, api, downloadFile } from '../api/client';
import type { Artifact, BenchmarkResult } from '../api/types';
import { fmtBytes } from '../lib/format';
import { useLoad } from '../lib/use-load';

export function Artifacts({ jobId, result }: { jobId: string; result: BenchmarkResult }) {
  const url = result.artifacts_url ?? api.artifactsUrl(jobId, result.benchmark_index);
  const list = useLoad((signal) => api.listArtifacts(url, signal), [url]);
  const [failed, setFailed] = useState<string>();
  const items: Artifact[] = list.data?.items ?? [];
  // An API without the artifacts route answers 404: say nothing rather than show an error.
  if (list.error instanceof ApiError && list.error.status === 404) return null;
  const save = async (e: Event, a: Artifact) => {
    e.preventDefault();
    try {
      setFailed(undefined);
      await downloadFile(a.url, a.name);
    } catch (err) {
      setFailed(`${a.name}: ${(err as Error).message}`);
    }
  };
  return (
    <div class="artifacts" data-testid="artifacts" data-index={result.benchmark_index}>
      <span class="muted small">{result.id} #{result.benchmark_index}:</span>{' '}
      {list.loading && !list.data ? <span class="muted small">loading…</span> : null}
      {list.error && !(list.error instanceof ApiError && list.error.status === 404) ? <span class="text-fail small">{(list.error as Error).message}</span> : null}
      {!list.loading && !items.length && !list.error ? <span class="muted small">no files</span> : null}
      {items.map((a) => (
        <a key={a.name} class="artifact" href={a.url} download={a.name} onClick={(e) => save(e, a)} data-testid="artifact-link" data-name={a.name}>
          {a.name} {typeof a.size_bytes === 'number' ? <span class="muted small">({fmtBytes(a.size_bytes)})</span> : null}
        </a>
      ))}
      {failed ? <div class="text-fail small">{failed}</div> : null}
    </div>
  );
}
