/** What lm-eval wrote for one task, turned into EvalHub metrics. */
export interface TaskMetrics {
  metrics: Record<string, number>;
  samples?: number;
}

/**
 * lm-eval keys are `<metric>,<filter>` (e.g. `acc,none`, `exact_match,strict-match`). The
 * metric of the `none` filter (or else the first filter) keeps the plain name; other filters
 * become `<metric>_<filter>`. Stderrs stay as `<metric>_stderr`; "N/A" values are dropped.
 */
export function taskMetrics(raw: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  const plainTaken = new Set<string>();
  const entries = Object.entries(raw).filter(([k, v]) => k.includes(',') && typeof v === 'number' && Number.isFinite(v)) as [string, number][];
  // `none` first so it claims the plain names.
  entries.sort(([a], [b]) => Number(!a.endsWith(',none')) - Number(!b.endsWith(',none')));
  for (const [key, value] of entries) {
    const [metric, filter] = key.split(',', 2);
    if (!plainTaken.has(metric)) {
      out[metric] = value;
      plainTaken.add(metric);
    }
    if (filter !== 'none') out[`${metric}_${filter}`] = value;
  }
  return out;
}

/** Per-task metrics from a results_*.json document. */
export function parseResults(doc: { results?: Record<string, Record<string, unknown>>; 'n-samples'?: Record<string, { effective?: number }> }): Map<string, TaskMetrics> {
  const out = new Map<string, TaskMetrics>();
  for (const [task, raw] of Object.entries(doc.results ?? {})) {
    out.set(task, { metrics: taskMetrics(raw), samples: doc['n-samples']?.[task]?.effective });
  }
  return out;
}
