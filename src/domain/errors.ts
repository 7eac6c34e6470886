/**
 * A contract rule that a request or an event breaks. The code is the contract's message_code
 * (evalhub-api-v1 §1.2); which HTTP status it becomes is the API's business (core/errors), so
 * callers that are not HTTP (the worker) decide by code.
 */
export type DomainErrorCode =
  | 'resource_not_found'
  | 'resource_does_not_exist'
  | 'evaluation_job_empty'
  | 'job_can_not_be_updated'
  | 'query_parameter_invalid'
  | 'query_parameter_value_invalid'
  | 'query_parameter_mismatch'
  | 'query_bad_parameter'
  | 'invalid_patch_operation'
  | 'unallowed_patch'
  | 'benchmark_already_finished'
  | 'job_not_finished'
  | 'nothing_to_retry';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }

  static notFound(kind: string, id: string): DomainError {
    return new DomainError('resource_not_found', `The ${kind} resource '${id}' was not found.`);
  }
}

/** The job was finished, cancelled or deleted meanwhile, so it takes no further event. */
export function isGoneOrFinished(e: unknown): boolean {
  // By code, so the API's ApiError of the same code (job not found) counts too.
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return code === 'job_can_not_be_updated' || code === 'resource_not_found' || code === 'benchmark_already_finished';
}
