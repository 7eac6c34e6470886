/**
 * What a benchmark run's callback token lets its holder do: report events for the benchmarks of
 * one run unit of one job (and tenant), in one attempt. Issued at dispatch, gone when the run ends.
 */
export interface CallbackBinding {
  jobId: string;
  tenant?: string;
  unitKey: string;
  indexes: number[];
  attempt: number;
}

export type CallbackCheck = 'ok' | 'other_job' | 'other_benchmark';

/** Whether a token bound as `binding` may post an event for `index` of job `jobId`. */
export function checkCallback(binding: CallbackBinding, jobId: string, index: number): CallbackCheck {
  if (binding.jobId !== jobId) return 'other_job';
  if (!binding.indexes.includes(index)) return 'other_benchmark';
  return 'ok';
}

/** The callback URL an adapter gets in its JobSpec: the token rides as a path prefix (§3.3). */
export function capabilityCallbackUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/cb/${token}`;
}

/** Splits `/cb/<token>/rest` into the token and the path the API serves; undefined otherwise. */
export function splitCapabilityPath(url: string): { token: string; path: string } | undefined {
  const m = /^\/cb\/([A-Za-z0-9_-]{20,100})(\/.*)$/.exec(url);
  return m ? { token: m[1], path: m[2] } : undefined;
}
