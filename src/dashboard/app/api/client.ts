// Every call the dashboard makes to the EvalHub API: JSON over fetch with the user's token and
// tenant, errors as ApiError carrying the contract's {message_code, message, trace}.
import { authHeaders } from './settings';
import type { ArtifactList, Collection, CollectionList, ErrorBody, GateEvaluation, GateList, Job, JobComparison, JobList, JobSubmission, Provider, ProviderList } from './types';

/** Same origin as the page: the API serves the dashboard. */
export const API = '/api/v1/evaluations';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly trace?: string,
  ) {
    super(message);
  }

  /** Credentials are missing or do not allow this: the settings page can fix it. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403 || this.code === 'missing_tenant_header' || this.code === 'missing_user_header';
  }
}

type AuthListener = (e: ApiError) => void;
const authListeners = new Set<AuthListener>();

/** Called for every 401/403 (and missing-tenant) answer, so the shell can say what to set. */
export function onAuthError(fn: AuthListener): () => void {
  authListeners.add(fn);
  return () => authListeners.delete(fn);
}

/** An ApiError from a failed response (JSON error body, or whatever text came back). */
export async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: Partial<ErrorBody> = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    /* not JSON: a proxy's page, say */
  }
  const err = new ApiError(res.status, body.message_code ?? `http_${res.status}`, body.message ?? (text.slice(0, 300) || res.statusText), body.trace);
  if (err.isAuth) authListeners.forEach((l) => l(err));
  return err;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /** 'json' (default), 'text' or 'blob'. */
  as?: 'json' | 'text' | 'blob' | 'none';
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(), Accept: opts.as === 'text' ? 'text/plain' : 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(withQuery(path, opts.query), {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
    credentials: 'same-origin',
  });
  if (!res.ok) throw await errorFrom(res);
  if (opts.as === 'none' || res.status === 204) return undefined as T;
  if (opts.as === 'text') return (await res.text()) as T;
  if (opts.as === 'blob') return (await res.blob()) as T;
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

export const api = {
  listJobs: (query: RequestOptions['query'] = {}, signal?: AbortSignal) => request<JobList>('GET', `${API}/jobs`, { query, signal }),
  getJob: (id: string, signal?: AbortSignal) => request<Job>('GET', `${API}/jobs/${enc(id)}`, { signal }),
  /** Candidates as repeated `candidate=` parameters (withQuery keeps one value per key). */
  compareJobs: (baseline: string, candidates: string[], signal?: AbortSignal) =>
    request<JobComparison>('GET', `${API}/jobs/compare?${new URLSearchParams([['baseline', baseline], ...candidates.map((c): [string, string] => ['candidate', c])]).toString()}`, { signal }),
  submitJob: (body: JobSubmission) => request<Job>('POST', `${API}/jobs`, { body }),
  cancelJob: (id: string) => request<void>('DELETE', `${API}/jobs/${enc(id)}`, { as: 'none' }),
  deleteJob: (id: string) => request<void>('DELETE', `${API}/jobs/${enc(id)}`, { query: { hard_delete: true }, as: 'none' }),
  jobLogs: (id: string, tailLines = 200, signal?: AbortSignal) => request<string>('GET', `${API}/jobs/${enc(id)}/logs`, { query: { tail_lines: tailLines }, as: 'text', signal }),
  listArtifacts: (url: string, signal?: AbortSignal) => request<ArtifactList>('GET', url, { signal }),
  artifactsUrl: (id: string, index: number) => `${API}/jobs/${enc(id)}/benchmarks/${index}/artifacts`,
  listProviders: (signal?: AbortSignal) => request<ProviderList>('GET', `${API}/providers`, { query: { limit: 0 }, signal }),
  getProvider: (id: string) => request<Provider>('GET', `${API}/providers/${enc(id)}`),
  listGates: (signal?: AbortSignal) => request<GateList>('GET', `${API}/gates`, { query: { limit: 0 }, signal }),
  evaluateGate: (jobId: string, gateId: string) => request<GateEvaluation>('GET', `${API}/jobs/${enc(jobId)}/gate/${enc(gateId)}`),
  listCollections: (signal?: AbortSignal) => request<CollectionList>('GET', `${API}/collections`, { query: { limit: 0 }, signal }),
  getCollection: (id: string) => request<Collection>('GET', `${API}/collections/${enc(id)}`),
};

/**
 * Saves a file the API serves (an artifact) with the user's headers: a plain link would not carry
 * the bearer token or tenant. The visible link keeps the real URL for copying.
 */
export async function downloadFile(url: string, name: string): Promise<void> {
  const blob = await request<Blob>('GET', url, { as: 'blob' });
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}

/** Whether a same-origin path answers 2xx/3xx (e.g. Bull Board at /admin/queues, if enabled). */
export async function answers(path: string): Promise<boolean> {
  try {
    const res = await fetch(path, { method: 'GET', headers: authHeaders(), redirect: 'manual' });
    return res.type === 'opaqueredirect' || (res.status >= 200 && res.status < 400);
  } catch {
    return false;
  }
}

export type { Collection, Job, Provider };
