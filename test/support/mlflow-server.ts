import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitFor } from './ports';
import { pythonEnv, venvBin } from './python';

/**
 * A real `mlflow server` from the project venv: sqlite backend and artifacts in a temp folder,
 * on a free port. stop() and start() again keep the same port and data (for outage tests).
 */
export class MlflowServer {
  private proc?: ChildProcess;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-mlflow-'));
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (!this.port) this.port = await freePort();
    this.proc = spawn(
      venvBin('mlflow'),
      ['server', '--backend-store-uri', `sqlite:///${path.join(this.dir, 'mlflow.db')}`, '--artifacts-destination', path.join(this.dir, 'artifacts'), '--host', '127.0.0.1', '--port', String(this.port), '--workers', '1'],
      { env: pythonEnv(), stdio: 'ignore', detached: true, cwd: this.dir },
    );
    await waitFor('mlflow server', async () => (await fetch(`${this.url}/health`)).ok, 90000, 250);
    return this;
  }

  /** Kills the server and its uvicorn children (it runs them in its own process group). */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p?.pid || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await exited;
    await waitFor('mlflow port free', async () => {
      try {
        await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(500) });
        return false;
      } catch {
        return true;
      }
    }, 10000);
  }

  async api<T = any>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${p}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`MLflow ${method} ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async experimentByName(name: string): Promise<any> {
    return (await this.api('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`)).experiment;
  }

  async runs(experimentId: string, filter = ''): Promise<any[]> {
    return (await this.api('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId], filter, max_results: 1000 })).runs ?? [];
  }

  async artifacts(runId: string): Promise<string[]> {
    return ((await this.api('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}`)).files ?? []).map((f: any) => f.path);
  }

  async download(run: any, file: string): Promise<string> {
    const rel = String(run.info.artifact_uri).replace(/^mlflow-artifacts:(\/\/[^/]+)?\//, '');
    const res = await fetch(`${this.url}/api/2.0/mlflow-artifacts/artifacts/${rel}/${file}`);
    if (!res.ok) throw new Error(`download ${file}: ${res.status}`);
    return res.text();
  }
}

export function tagsOf(entity: any): Record<string, string> {
  return Object.fromEntries((entity?.tags ?? entity?.data?.tags ?? []).map((t: any) => [t.key, t.value]));
}

export function metricsOf(run: any): Record<string, number> {
  return Object.fromEntries((run.data?.metrics ?? []).map((m: any) => [m.key, m.value]));
}
