import type {
  BenchmarkEntry,
  Collection,
  CollectionList,
  GateEvaluation,
  Job,
  JobComparison,
  JobList,
  JobState,
  JobStreamEvent,
  JobStreamSnapshot,
  JobSubmission,
  Provider,
  ProviderList,
} from '../models';
import { TERMINAL_JOB_STATES } from '../models';
import { EvalHubError } from './errors';
import { Http, HttpOptions } from './http';
import { readSse } from './sse';

const V1 = '/api/v1/evaluations';
const enc = encodeURIComponent;

export interface JobListFilters {
  status?: JobState;
  name?: string;
  tags?: string[];
  owner?: string;
  experiment_id?: string;
  /** Page size (default the server's). */
  limit?: number;
  offset?: number;
}

export interface WaitOptions {
  /** Give up after this long (default: no limit). */
  timeoutMs?: number;
  /** Poll interval when the job stream is not available (default 2 s). */
  pollMs?: number;
  /** Called with every change of the job. */
  onUpdate?: (snapshot: JobStreamSnapshot) => void;
  signal?: AbortSignal;
}

/** The benchmarks of every provider, flattened (v1 has no /benchmarks route). */
function flatten(providers: Provider[]): BenchmarkEntry[] {
  return providers.flatMap((p) => (p.benchmarks ?? []).map((b) => ({ ...b, provider_id: p.resource.id })));
}

/**
 * A typed client of the EvalHub v1 API. Every error is an `EvalHubError` carrying the API's
 * `message_code`; 502/503/504 and refused connections are retried with backoff.
 *
 *   const hub = new EvalHubClient({ baseUrl: 'http://127.0.0.1:8080', token, tenant });
 *   const job = await hub.jobs.submit({ name: 'smoke', model, benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }] });
 *   const done = await hub.jobs.waitForCompletion(job.resource.id, { onUpdate: (s) => console.log(s.percent) });
 */
export class EvalHubClient {
  readonly http: Http;

  constructor(options: HttpOptions) {
    this.http = new Http(options);
  }

  /** From EVALHUB_BASE_URL (or EVALHUB_URL), EVALHUB_TOKEN, EVALHUB_TENANT, EVALHUB_USER. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<HttpOptions> = {}): EvalHubClient {
    return new EvalHubClient({
      baseUrl: env.EVALHUB_BASE_URL || env.EVALHUB_URL || 'http://127.0.0.1:8080',
      token: env.EVALHUB_TOKEN || undefined,
      tenant: env.EVALHUB_TENANT || undefined,
      user: env.EVALHUB_USER || undefined,
      ...overrides,
    });
  }

  health(): Promise<{ status: string }> {
    return this.http.json('GET', '/api/v1/health');
  }

  readonly providers = {
    /** One page of providers; `targetType` and `evaluates` filter on their agent metadata. */
    list: async (o: { limit?: number; offset?: number; benchmarks?: boolean; targetType?: string; evaluates?: string } = {}): Promise<ProviderList> => {
      const page = await this.http.json<ProviderList>('GET', `${V1}/providers`, undefined, { limit: o.limit, offset: o.offset, benchmarks: o.benchmarks });
      const keep = (p: Provider) => {
        const agent = (p as { agent?: { target_type?: string; evaluates?: string[] } }).agent;
        return (!o.targetType || agent?.target_type === o.targetType) && (!o.evaluates || (agent?.evaluates ?? []).includes(o.evaluates));
      };
      return o.targetType || o.evaluates ? { ...page, items: page.items.filter(keep) } : page;
    },
    /** Every provider, page after page. */
    all: async (o: { targetType?: string; evaluates?: string } = {}): Promise<Provider[]> => collect((offset) => this.providers.list({ ...o, offset, limit: 100 })),
    get: (id: string): Promise<Provider> => this.http.json('GET', `${V1}/providers/${enc(id)}`),
    create: (body: object): Promise<Provider> => this.http.json('POST', `${V1}/providers`, body),
    delete: (id: string): Promise<void> => this.http.json('DELETE', `${V1}/providers/${enc(id)}`),
  };

  readonly benchmarks = {
    /** Benchmarks of every provider (or one), with an optional case-insensitive search over id, name, description and tags. */
    list: async (o: { provider?: string; search?: string; category?: string } = {}): Promise<BenchmarkEntry[]> => {
      const providers = o.provider ? [await this.providers.get(o.provider)] : await this.providers.all();
      const needle = o.search?.toLowerCase();
      return flatten(providers).filter(
        (b) => (!o.category || b.category === o.category) && (!needle || [b.id, b.name, b.description ?? '', ...(b.tags ?? [])].some((t) => t.toLowerCase().includes(needle))),
      );
    },
  };

  readonly collections = {
    list: (o: { limit?: number; offset?: number } = {}): Promise<CollectionList> => this.http.json('GET', `${V1}/collections`, undefined, { limit: o.limit, offset: o.offset }),
    all: (): Promise<Collection[]> => collect((offset) => this.collections.list({ offset, limit: 100 })),
    get: (id: string): Promise<Collection> => this.http.json('GET', `${V1}/collections/${enc(id)}`),
  };

  readonly jobs = {
    submit: (body: JobSubmission): Promise<Job> => this.http.json('POST', `${V1}/jobs`, body),
    get: (id: string): Promise<Job> => this.http.json('GET', `${V1}/jobs/${enc(id)}`),
    /** One page of jobs. */
    list: (f: JobListFilters = {}): Promise<JobList> => this.http.json('GET', `${V1}/jobs`, undefined, { ...f, tags: f.tags?.join(',') }),
    /** Every job matching the filters, fetched a page at a time as the loop goes on. */
    iterate: (f: Omit<JobListFilters, 'offset'> = {}): AsyncGenerator<Job> => pages((offset) => this.jobs.list({ ...f, offset, limit: f.limit ?? 50 })),
    /** Cancels a running job (its state becomes cancelled); a finished job answers 409. */
    cancel: (id: string): Promise<void> => this.http.json('DELETE', `${V1}/jobs/${enc(id)}`),
    /** Runs a finished job's failed and cancelled benchmarks again; completed ones keep their results. */
    retry: (id: string): Promise<Job> => this.http.json('POST', `${V1}/jobs/${enc(id)}/retry`),
    /** Deletes the job and its record. */
    delete: (id: string): Promise<void> => this.http.json('DELETE', `${V1}/jobs/${enc(id)}`, undefined, { hard_delete: true }),
    logs: (id: string, o: { tailLines?: number; sinceSeconds?: number; timestamps?: boolean } = {}): Promise<string> =>
      this.http.text(`${V1}/jobs/${enc(id)}/logs`, { tail_lines: o.tailLines, since_seconds: o.sinceSeconds, timestamps: o.timestamps }),
    results: async (id: string): Promise<Job['results']> => (await this.jobs.get(id)).results,
    /**
     * The job's changes as they happen (its SSE stream), ending with its result; with `logs` the
     * runs' log lines too. Falls back to polling where the stream is not served.
     */
    watch: (id: string, o: { logs?: boolean; pollMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<JobStreamEvent> => this.watchJob(id, o),
    /** Resolves with the job once it is terminal (completed, failed, partially_failed, cancelled). */
    waitForCompletion: async (id: string, o: WaitOptions = {}): Promise<Job> => {
      const timeout = o.timeoutMs !== undefined ? AbortSignal.timeout(o.timeoutMs) : undefined;
      const signal = [o.signal, timeout].filter((s): s is AbortSignal => !!s);
      try {
        for await (const e of this.watchJob(id, { pollMs: o.pollMs, signal: signal.length ? AbortSignal.any(signal) : undefined })) {
          if (e.event === 'status' || e.event === 'result') o.onUpdate?.(e.data);
          if (e.event === 'deleted') throw new EvalHubError(`job ${id} was deleted while waiting for it`, 404, 'resource_not_found');
        }
      } catch (e) {
        if (timeout?.aborted) throw new EvalHubError(`job ${id} did not finish within ${o.timeoutMs} ms`, 0, 'wait_timeout');
        throw e;
      }
      return this.jobs.get(id);
    },
  };

  readonly gates = {
    evaluate: (jobId: string, gateId: string): Promise<GateEvaluation> => this.http.json('GET', `${V1}/jobs/${enc(jobId)}/gate/${enc(gateId)}`),
  };

  compare(baseline: string, candidates: string[]): Promise<JobComparison> {
    return this.http.json('GET', `${V1}/jobs/compare`, undefined, { baseline, candidate: candidates });
  }

  private async *watchJob(id: string, o: { logs?: boolean; pollMs?: number; signal?: AbortSignal }): AsyncGenerator<JobStreamEvent> {
    let res: Response | undefined;
    try {
      res = await this.http.send('GET', `${V1}/jobs/${enc(id)}/stream`, undefined, o.logs ? { logs: true } : undefined, { stream: true, signal: o.signal, headers: { Accept: 'text/event-stream' } });
    } catch (e) {
      // A server without job streams (404 for the route): poll instead; a missing job then fails the GET.
      if (!(e instanceof EvalHubError) || e.status !== 404) throw e;
    }
    if (res?.body) {
      for await (const e of readSse(res.body)) yield { event: e.event, id: e.id, data: JSON.parse(e.data) } as JobStreamEvent;
      return;
    }
    let last = '';
    for (;;) {
      const job = await this.jobs.get(id);
      const terminal = TERMINAL_JOB_STATES.includes(job.status.state);
      const snapshot: JobStreamSnapshot = {
        id,
        updated_at: job.resource.updated_at ?? undefined,
        state: job.status.state,
        message: job.status.message,
        benchmarks: job.status.benchmarks,
        percent: job.status.percent ?? 0,
        ...(terminal ? { results: job.results } : {}),
      };
      const key = JSON.stringify(snapshot);
      if (key !== last || terminal) yield { event: terminal ? 'result' : 'status', data: snapshot };
      last = key;
      if (terminal) return;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
      if (o.signal?.aborted) throw o.signal.reason;
    }
  }
}

async function collect<T>(page: (offset: number) => Promise<{ items: T[]; next?: unknown; total_count?: number }>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of pages(page)) out.push(x);
  return out;
}

async function* pages<T>(page: (offset: number) => Promise<{ items: T[]; next?: unknown; total_count?: number }>): AsyncGenerator<T> {
  for (let offset = 0; ; ) {
    const p = await page(offset);
    yield* p.items;
    offset += p.items.length;
    if (!p.next || p.items.length === 0) return;
  }
}
