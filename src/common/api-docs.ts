import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** The error body every non-2xx JSON answer has (§1.2). */
export class ErrorDto {
  /** Stable machine-readable code, e.g. resource_not_found. */
  message_code: string;
  /** Human-readable explanation. */
  message: string;
  /** The request id (X-Global-Transaction-Id) for log correlation. */
  trace: string;
}

/** Documents the error statuses an endpoint can answer with. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ErrorDto),
    ...statuses.map((status) => ApiResponse({ status, description: ERROR_TEXT[status] ?? 'Error', schema: { $ref: getSchemaPath(ErrorDto) } })),
  );
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request (see message_code)',
  401: 'No or invalid credentials (bearer token, or the run\'s callback token)',
  403: 'The credentials do not allow this',
  404: 'Resource not found',
  409: 'The job is in a state that does not allow this change',
  413: 'Request body too large',
  503: 'The store is unavailable',
};
