// Typed reads of a merged settings block (a provider's runtime block with a benchmark's values
// over it), each bad value added to `errors` under the field name the user wrote. Shared by the
// remote-backend settings (NeMo Evaluator, Kubeflow Pipelines).

export interface SettingReaders {
  /** A non-empty string, then `check` (which answers the problem, if any). */
  str(k: string, check?: (s: string) => string | undefined): string | undefined;
  int(k: string, min: number, max: number): number | undefined;
  int(k: string, min: number, max: number, fallback: number): number;
  num(k: string, ok: (n: number) => boolean, what: string, fallback: number): number;
  bool(k: string, fallback: boolean): boolean;
}

export function settingReaders(merged: Record<string, unknown>, name: (k: string) => string, errors: string[]): SettingReaders {
  function int(k: string, min: number, max: number): number | undefined;
  function int(k: string, min: number, max: number, fallback: number): number;
  function int(k: string, min: number, max: number, fallback?: number): number | undefined {
    const v = merged[k];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      errors.push(`${name(k)} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  }
  return {
    int,
    num(k, ok, what, fallback) {
      const v = merged[k];
      if (v === undefined) return fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
        errors.push(`${name(k)} must be ${what}, got ${JSON.stringify(v)}`);
        return fallback;
      }
      return v;
    },
    bool(k, fallback) {
      const v = merged[k];
      if (v === undefined) return fallback;
      if (typeof v !== 'boolean') errors.push(`${name(k)} must be true or false, got ${JSON.stringify(v)}`);
      return typeof v === 'boolean' ? v : fallback;
    },
    str(k, check) {
      const v = merged[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || !v.trim()) {
        errors.push(`${name(k)} must be a non-empty string, got ${JSON.stringify(v)}`);
        return undefined;
      }
      const problem = check?.(v);
      if (problem) errors.push(`${name(k)} ${problem}`);
      return problem ? undefined : v;
    },
  };
}
