// Comparing finished jobs: wording of the API's comparison (GET /jobs/compare: tests, outcomes,
// Holm summary), and the plain side-by-side metrics the page falls back to when that call fails.
import type { CandidateComparison, Job, MetricComparison } from '../api/types';
import { metricRows } from './metrics';

export const TEST_LABEL: Record<MetricComparison['test'], string> = {
  mcnemar_exact: 'McNemar exact',
  sign_flip_permutation: 'sign-flip permutation',
  unpaired_z: 'unpaired z',
  none: 'no test',
};

/** "1 regressed, 1 unchanged, Holm-corrected at α = 0.05" */
export function summaryText(summary: CandidateComparison['summary']): string {
  const parts = (
    [
      ['improved', summary.improved],
      ['regressed', summary.regressed],
      ['unchanged', summary.no_significant_change],
      ['not tested', summary.not_tested],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`);
  const correction = summary.correction === 'holm' ? 'Holm' : summary.correction;
  return `${parts.length ? parts.join(', ') : 'no benchmark in common'}, ${correction}-corrected at α = ${summary.alpha}`;
}

export interface CompareCell {
  value?: number;
  stderr?: number;
  /** value minus the baseline's (the first job's), when both are numbers. */
  delta?: number;
}

export interface CompareRow {
  benchmark: string;
  metric: string;
  primary: boolean;
  cells: CompareCell[];
}

/**
 * A benchmark's identity across jobs: provider and id, numbered when one job runs the same
 * benchmark more than once (e.g. with other parameters).
 */
function benchmarkKeys(job: Job): { key: string; index: number }[] {
  const seen = new Map<string, number>();
  return (job.results?.benchmarks ?? []).map((r) => {
    const base = `${r.provider_id}/${r.id}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { key: n > 1 ? `${base} (${n})` : base, index: r.benchmark_index };
  });
}

/** Rows in first-seen order: every numeric metric of every benchmark in any of the jobs. */
export function compareJobs(jobs: Job[]): CompareRow[] {
  const rows = new Map<string, CompareRow>();
  jobs.forEach((job, col) => {
    const keys = benchmarkKeys(job);
    (job.results?.benchmarks ?? []).forEach((r, i) => {
      for (const m of metricRows(r)) {
        if (typeof m.value !== 'number') continue;
        const id = `${keys[i].key}\u0000${m.name}`;
        let row = rows.get(id);
        if (!row) rows.set(id, (row = { benchmark: keys[i].key, metric: m.name, primary: m.primary, cells: jobs.map(() => ({})) }));
        row.primary ||= m.primary;
        row.cells[col] = { value: m.value, stderr: m.stderr };
      }
    });
  });
  const out = [...rows.values()];
  for (const row of out) {
    const base = row.cells[0]?.value;
    row.cells.forEach((c, i) => {
      if (i > 0 && base !== undefined && c.value !== undefined) c.delta = c.value - base;
    });
  }
  // Grouped by benchmark, primary metric first within each.
  const order = [...new Set(out.map((r) => r.benchmark))];
  return out.sort((a, b) => order.indexOf(a.benchmark) - order.indexOf(b.benchmark) || Number(b.primary) - Number(a.primary) || a.metric.localeCompare(b.metric));
}
