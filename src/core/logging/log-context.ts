import { AsyncLocalStorage } from 'async_hooks';

/** Per-request or per-job fields that every log line written inside the scope carries. */
export interface LogFields {
  request_id?: string;
  job_id?: string;
  benchmark_index?: number | string;
}

export const logContext = new AsyncLocalStorage<LogFields>();

export function withLogFields<T>(fields: LogFields, fn: () => T): T {
  return logContext.run({ ...(logContext.getStore() ?? {}), ...fields }, fn);
}
