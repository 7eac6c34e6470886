import { SampleScores } from '../../domain/uncertainty';

/**
 * Metrics from Lighteval's results_*.json. Keys of `results` are `task|fewshot` plus `all` (the
 * mean over tasks). One task: its metrics as they are. Several: `all` under the plain names and
 * each task's under `<task>/<metric>`. `em` is also given as `exact_match`, the name the catalog
 * and lm-eval use for the same measure.
 */
export function lightevalMetrics(doc: { results?: Record<string, Record<string, unknown>> }): Record<string, number> {
  const results = doc.results ?? {};
  const tasks = Object.keys(results).filter((k) => k !== 'all');
  const numeric = (raw: Record<string, unknown> | undefined) =>
    Object.entries(raw ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  const out: Record<string, number> = {};
  const plain = tasks.length === 1 ? results[tasks[0]] : results.all;
  for (const [k, v] of numeric(plain)) out[k] = v;
  if (tasks.length > 1) for (const t of tasks) for (const [k, v] of numeric(results[t])) out[`${t.split('|')[0]}/${k}`] = v;
  if (out.em !== undefined && out.exact_match === undefined) out.exact_match = out.em;
  if (out.em_stderr !== undefined && out.exact_match_stderr === undefined) out.exact_match_stderr = out.em_stderr;
  return out;
}

/** Phase and samples done from one Lighteval output line (its log markers and tqdm bars on stderr). */
export function lightevalProgress(line: string): { phase: 'loading_data' | 'running_evaluation' | 'post_processing' | 'persisting_artifacts'; done?: number; total?: number } | undefined {
  // eslint-disable-next-line no-control-regex -- Lighteval colours its log lines
  const l = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  if (/--- LOADING TASKS ---|--- LOADING MODEL ---/.test(l)) return { phase: 'loading_data' };
  if (/--- RUNNING MODEL ---/.test(l)) return { phase: 'running_evaluation' };
  if (/--- (POST-PROCESSING MODEL RESPONSES|COMPUTING METRICS) ---/.test(l)) return { phase: 'post_processing' };
  if (/--- SAVING AND PUSHING RESULTS ---/.test(l)) return { phase: 'persisting_artifacts' };
  const bar = /^\s*\d+%\|[^|]*\|\s*(\d+)\/(\d+) \[/.exec(l);
  if (bar && Number(bar[2]) > 0) return { phase: 'running_evaluation', done: Number(bar[1]), total: Number(bar[2]) };
  return undefined;
}

/** Lighteval exits 0 even when every model call failed (it scores empty answers): these lines say so. */
export function apiFailure(line: string): string | undefined {
  return /API call failed after \d+ attempts/.test(line) || /Error in API call: /.test(line) ? line.replace(/^.*?(WARNING|ERROR):\s*/, '').trim() : undefined;
}

/**
 * Per-sample scores from the rows python/drivers/lighteval_sample_scores.py wrote from the details
 * files (`{task, id, metric}` per line), named as lightevalMetrics names the results: one task
 * keeps the plain names (and em is also exact_match); several give `<task>/<metric>` only, since
 * the plain names of a multi-task run are a mean of task means, not a mean over samples.
 */
export function lightevalSampleScores(jsonl: string): SampleScores[] {
  const rows: { task: string; id: string; metric: Record<string, number> }[] = [];
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { task?: unknown; id?: unknown; metric?: unknown };
      if (typeof r.task === 'string' && r.metric && typeof r.metric === 'object') rows.push({ task: r.task, id: String(r.id), metric: r.metric as Record<string, number> });
    } catch {
      /* a cut line: the rest still counts */
    }
  }
  const single = new Set(rows.map((r) => r.task)).size === 1;
  return rows.map((r) => {
    const scores: Record<string, number> = {};
    for (const [k, v] of Object.entries(r.metric)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const names = k === 'em' ? ['em', 'exact_match'] : [k];
      for (const n of names) scores[single ? n : `${r.task.split('|')[0]}/${n}`] = v;
    }
    return { id: `${r.task}/${r.id}`, scores };
  });
}
