// Building job requests: from the submit form, from an existing job (re-run), and the parameter
// names a provider document declares.
import type { BenchmarkConfig, Job, JobSubmission, Provider, ProviderBenchmark } from '../api/types';

export interface ParamEntry {
  key: string;
  value: string;
}

export interface PickedBenchmark {
  provider_id: string;
  id: string;
  params: ParamEntry[];
}

export interface JobForm {
  name: string;
  description: string;
  tags: string;
  modelUrl: string;
  modelName: string;
  secretRef: string;
  mode: 'benchmarks' | 'collection' | 'risk_category';
  benchmarks: PickedBenchmark[];
  collectionId: string;
  riskCategory: string;
  experimentName: string;
}

export function emptyForm(): JobForm {
  return { name: '', description: '', tags: '', modelUrl: '', modelName: '', secretRef: '', mode: 'benchmarks', benchmarks: [], collectionId: '', riskCategory: 'low', experimentName: '' };
}

/** A parameter value as typed: JSON when it parses (numbers, booleans, lists, objects), else text. */
export function parseParamValue(raw: string): unknown {
  const t = raw.trim();
  if (t === '') return '';
  try {
    return JSON.parse(t);
  } catch {
    return raw;
  }
}

function params(entries: ParamEntry[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const e of entries) if (e.key.trim()) out[e.key.trim()] = parseParamValue(e.value);
  return Object.keys(out).length ? out : undefined;
}

/** The request body the form describes (what the API will validate; nothing is checked here). */
export function buildRequest(f: JobForm): JobSubmission {
  const body: JobSubmission = { name: f.name.trim(), model: { name: f.modelName.trim(), ...(f.modelUrl.trim() ? { url: f.modelUrl.trim() } : {}) } };
  if (f.secretRef.trim()) body.model.auth = { secret_ref: f.secretRef.trim() };
  if (f.description.trim()) body.description = f.description.trim();
  const tags = f.tags.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length) body.tags = tags;
  if (f.mode === 'benchmarks') {
    body.benchmarks = f.benchmarks.map((b): BenchmarkConfig => {
      const p = params(b.params);
      return { id: b.id, provider_id: b.provider_id, ...(p ? { parameters: p } : {}) };
    });
  } else if (f.mode === 'collection') {
    body.collection = { id: f.collectionId };
  } else {
    body.risk_category = f.riskCategory as JobSubmission['risk_category'];
  }
  if (f.experimentName.trim()) body.experiment = { name: f.experimentName.trim() };
  return body;
}

const CONFIG_KEYS = ['name', 'description', 'tags', 'model', 'pass_criteria', 'benchmarks', 'collection', 'risk_category', 'experiment', 'custom', 'exports', 'hardware_config', 'queue'] as const;

/** The job's request as accepted (the API returns it flat beside resource/status/results). */
export function rerunRequest(job: Job): JobSubmission {
  const out: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) {
    const v = (job as Record<string, unknown>)[k];
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out as unknown as JobSubmission;
}

export interface ParamSpec {
  name: string;
  description?: string;
}

/** Understood by every EvalHub executor (it becomes lm-eval's --limit, the JobSpec's num_examples). */
const UNIVERSAL: ParamSpec[] = [{ name: 'num_examples', description: 'Run on this many examples only' }];

function specsFrom(raw: unknown): ParamSpec[] {
  if (Array.isArray(raw)) {
    return raw
      .map((p): ParamSpec | undefined =>
        typeof p === 'string' ? { name: p } : p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string' ? { name: (p as ParamSpec).name, description: (p as ParamSpec).description } : undefined,
      )
      .filter((p): p is ParamSpec => !!p);
  }
  if (raw && typeof raw === 'object') {
    // A JSON schema ({properties: {...}}) or a plain name → description map.
    const props = ((raw as { properties?: unknown }).properties ?? raw) as Record<string, unknown>;
    return Object.entries(props).map(([name, v]) => ({ name, description: typeof v === 'string' ? v : ((v as { description?: string } | null)?.description ?? undefined) }));
  }
  return [];
}

/**
 * The parameter names to offer for a benchmark: those its provider document declares (on the
 * benchmark or the provider, as `parameters` or `accepted_parameters`), else num_examples.
 */
export function parameterSpecs(provider: Provider | undefined, benchmark: ProviderBenchmark | undefined): ParamSpec[] {
  const sources = [benchmark, provider].flatMap((o) => {
    const rec = (o ?? {}) as Record<string, unknown>;
    return [rec.accepted_parameters, rec.parameters];
  });
  for (const s of sources) {
    const specs = specsFrom(s);
    if (specs.length) return specs;
  }
  return UNIVERSAL;
}
