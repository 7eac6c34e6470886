import { randomBytes } from 'crypto';
import { Answer, httpCall, safeJson } from '../http-call';

// The calls EvalHub makes to the Kubeflow Pipelines v2beta1 REST API (the ones the official
// `kfp` client makes for the same steps): health, pipelines and versions (upload, list by name),
// experiments, runs (create, get, terminate).

export interface KfpRun {
  run_id: string;
  display_name?: string;
  experiment_id?: string;
  state?: string;
  error?: { code?: number; message?: string; details?: unknown[] };
  created_at?: string;
  finished_at?: string;
  run_details?: { task_details?: { display_name?: string; state?: string; error?: { message?: string } }[] };
}

/** KFP answered, but not with success. */
export class KfpApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface KfpClientOptions {
  endpoint: string;
  namespace?: string;
  token?: string;
  ca?: Buffer;
  verifySsl: boolean;
  signal: AbortSignal;
  timeoutMs?: number;
}

const EQUALS = 1;

export class KfpClient {
  constructor(private readonly o: KfpClientOptions) {}

  private async call(method: string, path: string, opts: { json?: unknown; query?: Record<string, string | undefined>; body?: Buffer; contentType?: string } = {}): Promise<unknown> {
    const qs = Object.entries(opts.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
    const url = `${this.o.endpoint}/apis/v2beta1${path}${qs.length ? `?${new URLSearchParams(qs).toString()}` : ''}`;
    const body = opts.json !== undefined ? Buffer.from(JSON.stringify(opts.json)) : opts.body;
    const contentType = opts.json !== undefined ? 'application/json' : opts.contentType;
    const a: Answer = await httpCall(url, {
      method,
      headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...(this.o.token ? { Authorization: `Bearer ${this.o.token}` } : {}) },
      body,
      verifySsl: this.o.verifySsl,
      ca: this.o.ca,
      timeoutMs: this.o.timeoutMs ?? 30_000,
      signal: this.o.signal,
    });
    const parsed = safeJson(a.text);
    if (a.status < 200 || a.status >= 300) {
      const said = (parsed as { message?: unknown; error?: unknown } | undefined)?.message ?? (parsed as { error?: unknown } | undefined)?.error ?? a.text.slice(0, 300);
      throw new KfpApiError(`${method} ${path} answered ${a.status}: ${String(said)}`, a.status);
    }
    return parsed ?? {};
  }

  async health(): Promise<{ tag_name?: string; multi_user?: boolean }> {
    return (await this.call('GET', '/healthz')) as { tag_name?: string; multi_user?: boolean };
  }

  private byName(key: string, value: string): string {
    return JSON.stringify({ predicates: [{ operation: EQUALS, key, stringValue: value }] });
  }

  private async findPipeline(name: string): Promise<string | undefined> {
    const r = (await this.call('GET', '/pipelines', { query: { filter: this.byName('display_name', name), namespace: this.o.namespace, page_size: '2' } })) as { pipelines?: { pipeline_id: string }[] };
    return r.pipelines?.[0]?.pipeline_id;
  }

  private async findVersion(pipelineId: string, name: string): Promise<string | undefined> {
    const r = (await this.call('GET', `/pipelines/${encodeURIComponent(pipelineId)}/versions`, { query: { filter: this.byName('display_name', name), page_size: '2' } })) as { pipeline_versions?: { pipeline_version_id: string }[] };
    return r.pipeline_versions?.[0]?.pipeline_version_id;
  }

  private async findExperiment(name: string): Promise<string | undefined> {
    const r = (await this.call('GET', '/experiments', { query: { filter: this.byName('display_name', name), namespace: this.o.namespace, page_size: '2' } })) as { experiments?: { experiment_id: string }[] };
    return r.experiments?.[0]?.experiment_id;
  }

  /**
   * Finds by name, else creates; when another worker created it in between (409), finds it again.
   * `created` says whether this call made it.
   */
  private async findOrCreate(find: () => Promise<string | undefined>, create: () => Promise<string>): Promise<{ id: string; created: boolean }> {
    const found = await find();
    if (found) return { id: found, created: false };
    try {
      return { id: await create(), created: true };
    } catch (e) {
      if (!(e instanceof KfpApiError) || e.status !== 409) throw e;
      const again = await find();
      if (!again) throw e;
      return { id: again, created: false };
    }
  }

  pipeline(name: string, spec: unknown, description: string): Promise<{ id: string; created: boolean }> {
    return this.findOrCreate(
      () => this.findPipeline(name),
      async () => {
        const { body, contentType } = multipart(spec);
        const p = (await this.call('POST', '/pipelines/upload', { query: { name, display_name: name, description, namespace: this.o.namespace }, body, contentType })) as { pipeline_id: string };
        return p.pipeline_id;
      },
    );
  }

  version(pipelineId: string, name: string, spec: unknown): Promise<{ id: string; created: boolean }> {
    return this.findOrCreate(
      () => this.findVersion(pipelineId, name),
      async () => {
        const { body, contentType } = multipart(spec);
        const v = (await this.call('POST', '/pipelines/upload_version', { query: { pipelineid: pipelineId, name, display_name: name }, body, contentType })) as { pipeline_version_id: string };
        return v.pipeline_version_id;
      },
    );
  }

  async experimentId(name: string): Promise<string> {
    const r = await this.findOrCreate(
      () => this.findExperiment(name),
      async () => {
        const e = (await this.call('POST', '/experiments', { json: { display_name: name, description: 'EvalHub evaluations', ...(this.o.namespace ? { namespace: this.o.namespace } : {}) } })) as { experiment_id: string };
        return e.experiment_id;
      },
    );
    return r.id;
  }

  async createRun(run: { display_name: string; experiment_id: string; pipeline_id: string; pipeline_version_id: string; parameters: Record<string, string>; service_account?: string }): Promise<KfpRun> {
    return (await this.call('POST', '/runs', {
      json: {
        display_name: run.display_name,
        experiment_id: run.experiment_id,
        pipeline_version_reference: { pipeline_id: run.pipeline_id, pipeline_version_id: run.pipeline_version_id },
        runtime_config: { parameters: run.parameters },
        ...(run.service_account ? { service_account: run.service_account } : {}),
      },
    })) as KfpRun;
  }

  async getRun(id: string): Promise<KfpRun> {
    return (await this.call('GET', `/runs/${encodeURIComponent(id)}`)) as KfpRun;
  }

  async terminateRun(id: string, signal: AbortSignal): Promise<void> {
    // The run's own signal has fired (that is why it is terminated): this call gets a fresh one.
    await new KfpClient({ ...this.o, signal }).call('POST', `/runs/${encodeURIComponent(id)}:terminate`);
  }
}

/** The upload body: the spec as the `uploadfile` part (JSON is YAML, which KFP reads). */
function multipart(spec: unknown): { body: Buffer; contentType: string } {
  const boundary = `evalhub-${randomBytes(12).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="uploadfile"; filename="pipeline.yaml"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from(JSON.stringify(spec, null, 1)),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
