import { LIMITS, MlflowMetric, MlflowTag } from './mlflow.client';

/** MLflow accepts letters, digits and `_ - . space / :` in keys; anything else becomes `_`. */
export function metricKey(name: string): string {
  const k = name.replace(/[^A-Za-z0-9_\-. /:]/g, '_').replace(/\/{2,}/g, '/').replace(/^\/+/, '').replace(/\.\./g, '_');
  return k.slice(0, LIMITS.keyLength) || '_';
}

/** Numeric metrics only (MLflow metrics are doubles); booleans count as 0/1. */
export function toMlflowMetrics(metrics: Record<string, unknown> | undefined, timestamp: number): MlflowMetric[] {
  const out = new Map<string, MlflowMetric>();
  for (const [k, v] of Object.entries(metrics ?? {})) {
    const value = typeof v === 'boolean' ? Number(v) : v;
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const key = metricKey(k);
    out.set(key, { key, value, timestamp, step: 0 });
  }
  return [...out.values()];
}

/** Params (immutable in MLflow) with keys and values cut to the limits; duplicates dropped. */
export function toParams(entries: Record<string, unknown>): MlflowTag[] {
  const seen = new Set<string>();
  const out: MlflowTag[] = [];
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined || v === null) continue;
    const key = metricKey(k);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, value: (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, LIMITS.paramValue) });
  }
  return out;
}

export function tag(key: string, value: unknown): MlflowTag {
  return { key: key.slice(0, LIMITS.keyLength), value: String(value).slice(0, LIMITS.tagValue) };
}
