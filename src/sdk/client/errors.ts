/** An error answer of the EvalHub API, with its `message_code` (or a transport failure: status 0). */
export class EvalHubError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the service could not be reached. */
    readonly status: number,
    /** The API's machine-readable code (`job_not_found`, `request_validation_failed`, …). */
    readonly messageCode?: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'EvalHubError';
  }
}
