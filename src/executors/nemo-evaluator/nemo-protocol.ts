import Ajv, { ValidateFunction } from 'ajv';
import { NemoEvaluatorSettings } from '../../domain/nemo-evaluator-settings';
import { SampleScores } from '../../domain/uncertainty';
import schema from './protocol.schema.json';

// The wire protocol of the evaluator container (protocol.schema.json, which the container's server
// validates against too): the request built from a benchmark's settings, and its answer turned
// into EvalHub metrics, per-sample scores and artifact texts.

export interface EvaluateRequest {
  command: string;
  framework_name: string;
  run_post_hooks: boolean;
  config: { type: string; params: Record<string, number> };
  target: { api_endpoint: { url: string; model_id: string; type: string; api_key?: string } };
}

interface Score {
  value: number;
  stats?: { count?: number; stderr?: number };
}
type Metrics = Record<string, { scores: Record<string, Score> }>;

export interface EvaluateResponse {
  status: 'completed';
  command: string;
  eval_type?: string;
  nemo_evaluator_version?: string;
  results: { tasks: Record<string, { metrics: Metrics }>; groups?: Record<string, { metrics?: Metrics }> | null };
  artifacts: Record<string, string>;
  omitted?: string[];
  timing: { started_at: string; finished_at: string; duration_seconds: number };
}

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addSchema(schema, 'protocol');
const compiled = new Map<string, ValidateFunction>();

/** The first problem of `value` as the named definition, or undefined when it conforms. */
export function schemaProblem(definition: 'EvaluateRequest' | 'EvaluateResponse' | 'HealthResponse' | 'ErrorResponse', value: unknown): string | undefined {
  let v = compiled.get(definition);
  if (!v) {
    v = ajv.getSchema(`protocol#/definitions/${definition}`)!;
    compiled.set(definition, v);
  }
  if (v(value)) return undefined;
  const e = v.errors?.[0];
  return e ? `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}` : 'is invalid';
}

export function buildRequest(s: NemoEvaluatorSettings, modelName: string, apiKey: string | undefined): EvaluateRequest {
  return {
    command: s.command,
    framework_name: s.framework_name,
    run_post_hooks: s.run_post_hooks,
    config: {
      type: s.eval_type,
      params: {
        ...(s.limit_samples !== undefined ? { limit_samples: s.limit_samples } : {}),
        max_new_tokens: s.max_new_tokens,
        parallelism: s.parallelism,
        temperature: s.temperature,
        top_p: s.top_p,
        request_timeout: s.request_timeout,
      },
    },
    target: { api_endpoint: { url: s.model_endpoint, model_id: modelName, type: s.endpoint_type, ...(apiKey ? { api_key: apiKey } : {}) } },
  };
}

/** MLflow accepts alphanumerics and `_ - . space /` in metric names; NeMo's (pass@1) get `_` for the rest. */
const safe = (s: string) => s.replace(/[^A-Za-z0-9_\-. /]/g, '_');

export interface ParsedResults {
  metrics: Record<string, number>;
  /** Per metric key: the number of samples behind it (NeMo's stats.count). */
  counts: Record<string, number>;
  /** Score name → the metric keys it appears under, per task (for per-sample scores). */
  scoreKeys: Map<string, Map<string, string[]>>;
}

/**
 * Metrics from the results: `<metric>/<score>` for one task (`<task>/<metric>/<score>` for
 * several), each with `<key>_stderr` where NeMo gives a stderr, and the plain score name as well
 * where it is unique (so a provider can name `correct` as the primary score).
 */
export function parseResults(results: EvaluateResponse['results']): ParsedResults {
  const tasks = Object.entries(results.tasks ?? {});
  const metrics: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const scoreKeys = new Map<string, Map<string, string[]>>();
  const byScore = new Map<string, string[]>();
  for (const [task, t] of tasks) {
    const keysOfTask = new Map<string, string[]>();
    scoreKeys.set(task, keysOfTask);
    for (const [metric, m] of Object.entries(t.metrics ?? {})) {
      for (const [score, sc] of Object.entries(m.scores ?? {})) {
        if (typeof sc.value !== 'number' || !Number.isFinite(sc.value)) continue;
        const key = safe(tasks.length === 1 ? `${metric}/${score}` : `${task}/${metric}/${score}`);
        metrics[key] = sc.value;
        if (typeof sc.stats?.stderr === 'number' && Number.isFinite(sc.stats.stderr)) metrics[`${key}_stderr`] = sc.stats.stderr;
        if (typeof sc.stats?.count === 'number') counts[key] = sc.stats.count;
        keysOfTask.set(score, [...(keysOfTask.get(score) ?? []), key]);
        byScore.set(score, [...(byScore.get(score) ?? []), key]);
      }
    }
  }
  for (const [score, keys] of byScore) {
    const plain = safe(score);
    if (keys.length !== 1 || plain in metrics) continue;
    metrics[plain] = metrics[keys[0]];
    if (metrics[`${keys[0]}_stderr`] !== undefined) metrics[`${plain}_stderr`] = metrics[`${keys[0]}_stderr`];
    if (counts[keys[0]] !== undefined) counts[plain] = counts[keys[0]];
    for (const m of scoreKeys.values()) if (m.has(score)) m.set(score, [...m.get(score)!, plain]);
  }
  return { metrics, counts, scoreKeys };
}

/**
 * Per-sample scores from a BYOB run's predictions (`<task>/byob_predictions.jsonl`: one line per
 * sample with its prompt and scores), keyed by task and prompt (stable across runs of the same
 * data), under the metric keys of parseResults.
 */
export function byobSampleScores(artifacts: Record<string, string>, parsed: ParsedResults): SampleScores[] {
  const out: SampleScores[] = [];
  for (const [name, text] of Object.entries(artifacts)) {
    const m = /^(?:(.+)\/)?byob_predictions\.jsonl$/.exec(name);
    if (!m) continue;
    const task = m[1] ?? [...parsed.scoreKeys.keys()][0];
    const keys = parsed.scoreKeys.get(task);
    if (!keys) continue;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let row: { prompt?: unknown; sample_id?: unknown; status?: unknown; scores?: Record<string, unknown> };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        continue;
      }
      if (row.status !== undefined && row.status !== 'scored') continue;
      const scores: Record<string, number> = {};
      for (const [score, v] of Object.entries(row.scores ?? {})) {
        const value = typeof v === 'boolean' ? Number(v) : v;
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        for (const key of keys.get(score) ?? []) scores[key] = value;
      }
      if (Object.keys(scores).length) out.push({ id: `${task}/${typeof row.prompt === 'string' ? row.prompt : String(row.sample_id)}`, scores });
    }
  }
  return out;
}
