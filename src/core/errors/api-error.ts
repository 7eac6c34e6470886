import { DomainError } from '../../domain/errors';

// The contract's message codes and their HTTP statuses (evalhub-api-v1 §1.2). Every non-2xx JSON
// body is {message_code, message, trace}; services throw ApiError, domain functions DomainError
// (turned into ApiError by the exception filter), and one filter renders it.

export const MESSAGE_CODE_STATUS = {
  resource_not_found: 404,
  query_parameter_value_invalid: 400,
  query_parameter_invalid: 400,
  query_bad_parameter: 400,
  query_parameter_mismatch: 400,
  job_can_not_be_updated: 409,
  request_body_too_large: 413,
  invalid_json_request: 400,
  invalid_patch_operation: 400,
  unallowed_patch: 400,
  request_validation_failed: 400,
  resource_does_not_exist: 400,
  model_url_required: 400,
  local_runtime_not_enabled: 400,
  provider_not_runnable: 400,
  read_only_provider: 400,
  read_only_collection: 400,
  mlflow_required_for_experiment: 400,
  mlflow_request_failed: 400,
  collection_empty: 400,
  evaluation_job_empty: 400,
  resolved_sha_read_only: 400,
  // A catalog write whose document kept changing under it (several writers at once): send it again.
  concurrent_update: 409,
  hardware_profile_disabled: 400,
  hardware_profile_not_found: 404,
  hardware_profile_invalid: 400,
  // Upstream answers 500; a Kubernetes API that cannot be asked is a 503 here (retry later).
  hardware_profile_fetch_failed: 503,
  uri_too_long: 414,
  missing_tenant_header: 400,
  invalid_tenant_header: 400,
  invalid_user_header: 400,
  unauthorized: 401,
  forbidden: 403,
  callback_token_invalid: 401,
  local_command_not_allowed: 403,
  secret_ref_not_allowed: 400,
  benchmark_already_finished: 409,
  job_not_finished: 409,
  nothing_to_retry: 409,
  json_too_deep: 400,
  missing_user_header: 400,
  method_not_allowed: 405,
  service_unavailable: 503,
  internal_server_error: 500,
} as const;

export type MessageCode = keyof typeof MESSAGE_CODE_STATUS;

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: MessageCode,
    message: string,
  ) {
    super(message);
    this.status = MESSAGE_CODE_STATUS[code];
  }

  static notFound(kind: string, id: string): ApiError {
    return new ApiError('resource_not_found', `The ${kind} resource '${id}' was not found.`);
  }

  /** Type-checks that every domain code is a contract code with a status. */
  static from(e: DomainError): ApiError {
    const api = new ApiError(e.code, e.message);
    api.stack = e.stack;
    return api;
  }

  static validation(detail: string): ApiError {
    return new ApiError('request_validation_failed', `The request validation failed: '${detail}'.`);
  }
}

export interface ErrorBody {
  message_code: string;
  message: string;
  trace: string;
}
