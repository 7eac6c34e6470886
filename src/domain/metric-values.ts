/**
 * What a reported metric value may be: a finite number of sane size, a short string (categorical
 * results), a boolean, null, or a list of those. Anything else (Infinity can't come through JSON,
 * but 1e308 can) would end up as a score: refused instead.
 */
export const METRIC_LIMITS = { maxAbs: 1e15, maxString: 4096, maxList: 100_000 } as const;

function valueProblem(v: unknown, inList: boolean): string | undefined {
  if (v === null || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) <= METRIC_LIMITS.maxAbs ? undefined : `must be a finite number within ±${METRIC_LIMITS.maxAbs}`;
  if (typeof v === 'string') return v.length <= METRIC_LIMITS.maxString ? undefined : `is a string longer than ${METRIC_LIMITS.maxString} characters`;
  if (Array.isArray(v) && !inList) {
    if (v.length > METRIC_LIMITS.maxList) return `is a list of more than ${METRIC_LIMITS.maxList} values`;
    for (const item of v) {
      const p = valueProblem(item, true);
      if (p) return `has an item that ${p.replace(/^must be/, 'is not')}`;
    }
    return undefined;
  }
  return 'must be a number, string, boolean or a list of those';
}

/** One message per metric whose value is not acceptable. */
export function metricValueErrors(metrics: Record<string, unknown> | undefined): string[] {
  if (!metrics) return [];
  return Object.entries(metrics).flatMap(([k, v]) => {
    const p = valueProblem(v, false);
    return p ? [`metrics.${k} ${p}`] : [];
  });
}
