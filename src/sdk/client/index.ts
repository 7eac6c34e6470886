// `evalhub/client`: a typed client of the EvalHub v1 API.
export { EvalHubClient } from './evalhub-client';
export type { JobListFilters, WaitOptions } from './evalhub-client';
export { EvalHubError } from './errors';
export type { HttpOptions } from './http';
export { readSse } from './sse';
export type { SseEvent } from './sse';
export * from '../models';
