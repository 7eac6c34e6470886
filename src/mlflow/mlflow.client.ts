import { MlflowAuth, MlflowHttp } from './mlflow-http';

/**
 * A thin typed client for the MLflow 3 tracking REST API (no MLflow library in the service).
 * Errors carry MLflow's error_code and whether a retry can help.
 */
export interface MlflowTag {
  key: string;
  value: string;
}

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  tags?: MlflowTag[];
}

export interface MlflowRunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  status?: string;
  artifact_uri?: string;
  lifecycle_stage?: string;
}

export interface MlflowRun {
  info: MlflowRunInfo;
  data?: { metrics?: { key: string; value: number }[]; params?: MlflowTag[]; tags?: MlflowTag[] };
}

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export class MlflowError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
  ) {
    super(message);
  }

  /** 429, 5xx (but 501) and connection failures may pass; the rest will not. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || (this.status >= 500 && this.status !== 501);
  }
}

/** MLflow's batch limits (mlflow/utils/validation.py). */
export const LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000, keyLength: 250, paramValue: 6000, tagValue: 8000 };

export class MlflowClient {
  private readonly http: MlflowHttp;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10000,
    readonly auth: MlflowAuth = {},
    http?: MlflowHttp,
  ) {
    this.http = http ?? new MlflowHttp(auth);
  }

  /** The same server and credentials with another timeout (sharing the connection pool). */
  withTimeout(timeoutMs: number): MlflowClient {
    return new MlflowClient(this.baseUrl, timeoutMs, this.auth, this.http);
  }

  private async send(method: string, url: URL, headers: Record<string, string>, body: string | Uint8Array | undefined, timeoutMs: number) {
    try {
      return await this.http.send(method, url, headers, body, timeoutMs);
    } catch (e) {
      throw new MlflowError(`MLflow unreachable at ${this.baseUrl}: ${(e as Error).message}`, 0, undefined);
    }
  }

  private async call<T>(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const res = await this.send(method, url, body !== undefined ? { 'content-type': 'application/json' } : {}, body !== undefined ? JSON.stringify(body) : undefined, this.timeoutMs);
    const text = res.text;
    if (res.status < 200 || res.status >= 300) {
      let code: string | undefined;
      let message = text;
      try {
        const j = JSON.parse(text) as { error_code?: string; message?: string };
        code = j.error_code;
        message = j.message ?? text;
      } catch {
        /* plain-text error */
      }
      throw new MlflowError(`MLflow ${method} ${path} → ${res.status} ${code ?? ''}: ${message.slice(0, 300)}`, res.status, code);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  async health(): Promise<boolean> {
    try {
      const res = await this.http.send('GET', new URL(`${this.baseUrl}/health`), {}, undefined, 2000);
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  }

  async getExperimentByName(name: string): Promise<MlflowExperiment | undefined> {
    try {
      const r = await this.call<{ experiment: MlflowExperiment }>('GET', '/api/2.0/mlflow/experiments/get-by-name', undefined, { experiment_name: name });
      return r.experiment;
    } catch (e) {
      if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw e;
    }
  }

  async createExperiment(name: string, tags: MlflowTag[], artifactLocation?: string): Promise<string> {
    const r = await this.call<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', {
      name,
      tags,
      ...(artifactLocation ? { artifact_location: artifactLocation } : {}),
    });
    return r.experiment_id;
  }

  async restoreExperiment(id: string): Promise<void> {
    await this.call('POST', '/api/2.0/mlflow/experiments/restore', { experiment_id: id });
  }

  /** Get-or-create that survives a concurrent create and a deleted experiment of that name. */
  async ensureExperiment(name: string, tags: MlflowTag[], artifactLocation?: string): Promise<{ id: string; created: boolean }> {
    const existing = await this.getExperimentByName(name);
    if (existing) {
      if (existing.lifecycle_stage === 'deleted') await this.restoreExperiment(existing.experiment_id);
      return { id: existing.experiment_id, created: false };
    }
    try {
      return { id: await this.createExperiment(name, tags, artifactLocation), created: true };
    } catch (e) {
      if (e instanceof MlflowError && e.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await this.getExperimentByName(name);
        if (again) return { id: again.experiment_id, created: false };
      }
      throw e;
    }
  }

  async createRun(experimentId: string, runName: string, tags: MlflowTag[], startTime: number): Promise<MlflowRunInfo> {
    const r = await this.call<{ run: MlflowRun }>('POST', '/api/2.0/mlflow/runs/create', {
      experiment_id: experimentId,
      run_name: runName,
      start_time: startTime,
      tags,
    });
    return r.run.info;
  }

  async updateRun(runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED', endTime: number): Promise<void> {
    await this.call('POST', '/api/2.0/mlflow/runs/update', { run_id: runId, status, end_time: endTime });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.call('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: runId, key, value });
  }

  /** Logs metrics, params and tags, split into requests within MLflow's batch limits. */
  async logBatch(runId: string, metrics: MlflowMetric[], params: MlflowTag[], tags: MlflowTag[]): Promise<void> {
    const m = [...metrics];
    const p = [...params];
    const t = [...tags];
    while (m.length || p.length || t.length) {
      const ps = p.splice(0, LIMITS.params);
      const ts = t.splice(0, LIMITS.tags);
      const ms = m.splice(0, LIMITS.total - ps.length - ts.length);
      await this.call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics: ms, params: ps, tags: ts });
    }
  }

  async searchRuns(experimentId: string, filter: string): Promise<MlflowRun[]> {
    const r = await this.call<{ runs?: MlflowRun[] }>('POST', '/api/2.0/mlflow/runs/search', {
      experiment_ids: [experimentId],
      filter,
      run_view_type: 'ACTIVE_ONLY',
      max_results: 100,
    });
    return r.runs ?? [];
  }

  async getRun(runId: string): Promise<MlflowRun> {
    return (await this.call<{ run: MlflowRun }>('GET', '/api/2.0/mlflow/runs/get', undefined, { run_id: runId })).run;
  }

  /** The files at the top of a run's artifact root, with their sizes. */
  async listArtifacts(runId: string): Promise<{ path: string; is_dir?: boolean; file_size?: number }[]> {
    return (await this.call<{ files?: { path: string; is_dir?: boolean; file_size?: number }[] }>('GET', '/api/2.0/mlflow/artifacts/list', undefined, { run_id: runId })).files ?? [];
  }

  /** A file of the run's artifact root, through the mlflow-artifacts proxy; undefined if absent. */
  async downloadArtifact(run: MlflowRunInfo, relPath: string): Promise<Buffer | undefined> {
    const res = await this.send('GET', new URL(this.baseUrl + artifactProxyPath(run, relPath)), {}, undefined, this.timeoutMs * 3);
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300) throw new MlflowError(`artifact download ${relPath} → ${res.status}: ${res.text.slice(0, 200)}`, res.status, undefined);
    return res.body;
  }

  /** Uploads a file through the mlflow-artifacts proxy into the run's artifact root. */
  async uploadArtifact(run: MlflowRunInfo, relPath: string, content: Buffer | string): Promise<void> {
    const res = await this.send('PUT', new URL(this.baseUrl + artifactProxyPath(run, relPath)), { 'content-type': 'application/octet-stream' }, typeof content === 'string' ? content : new Uint8Array(content), this.timeoutMs * 3);
    if (res.status < 200 || res.status >= 300) throw new MlflowError(`artifact upload ${relPath} → ${res.status}: ${res.text.slice(0, 200)}`, res.status, undefined);
  }
}

/** Where the mlflow-artifacts proxy serves a file of a run (artifact roots must be mlflow-artifacts: URIs). */
function artifactProxyPath(run: MlflowRunInfo, relPath: string): string {
  const uri = run.artifact_uri ?? '';
  const m = /^mlflow-artifacts:(?:\/\/[^/]+)?\/(.*)$/.exec(uri);
  if (!m) throw new MlflowError(`run ${run.run_id} has artifact_uri '${uri}', not served by the MLflow server (use --serve-artifacts)`, 400, 'BAD_ARTIFACT_URI');
  return `/api/2.0/mlflow-artifacts/artifacts/${m[1].replace(/\/+$/, '')}/${relPath.split('/').map(encodeURIComponent).join('/')}`;
}
