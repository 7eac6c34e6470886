import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors';
import { ApiError, ErrorBody } from '../errors/api-error';
import { withLogFields } from '../logging/log-context';
import { isRedisUnavailable } from '../redis/redis-availability';
import { knownMethodsFor } from './route-table';

/** Statuses that the HTTP layer (Fastify, Nest) produces itself, mapped to contract codes. */
const HTTP_STATUS_CODES: Record<number, string> = {
  400: 'request_validation_failed',
  404: 'resource_not_found',
  405: 'method_not_allowed',
  413: 'request_body_too_large',
  415: 'invalid_json_request',
};

/** Renders every error as {message_code, message, trace}; nothing leaves as a bare 500 page. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const { status, body, allow } = withLogFields({ request_id: String(req.id) }, () => toErrorBody(exception, req, this.logger));
    // RFC 9110: a 405 says which methods the resource has.
    if (allow) void reply.header('allow', allow.join(', '));
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

export function toErrorBody(exception: unknown, req: Pick<FastifyRequest, 'id' | 'url' | 'method'>, logger: Logger): { status: number; body: ErrorBody | object; allow?: string[] } {
  const trace = String(req.id);
  // Probes answer in terminus's own format (status + per-indicator details), 503 when not ready.
  if (exception instanceof HttpException && exception.getStatus() !== 404 && (req.url ?? '').startsWith('/health/')) {
    const body = exception.getResponse();
    return { status: exception.getStatus(), body: typeof body === 'object' ? body : { status: 'error', message: body } };
  }
  // A domain rule broken inside a handler answers with the contract's status for its code. Mapped
  // here rather than in a global interceptor: Nest binds an async context per request for any
  // interceptor, which cost a fifth of the throughput of simple reads.
  if (exception instanceof DomainError) exception = ApiError.from(exception);
  if (exception instanceof ApiError) {
    return { status: exception.status, body: { message_code: exception.code, message: exception.message, trace } };
  }
  if (exception instanceof HttpException && exception.getStatus() === 404) {
    const path = (req.url ?? '').split('?')[0];
    const methods = knownMethodsFor(path);
    if (methods.length > 0 && !methods.includes(req.method)) {
      return {
        status: 405,
        body: { message_code: 'method_not_allowed', message: `The method ${req.method} is not allowed on ${path}; use ${methods.join(', ')}.`, trace },
        allow: methods,
      };
    }
    return { status: 404, body: { message_code: 'resource_not_found', message: `No resource at ${req.method} ${path}.`, trace } };
  }
  const fastifyCode = (exception as { code?: string })?.code ?? '';
  const statusCode = exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: number })?.statusCode;
  const text = exception instanceof Error ? exception.message : '';
  if (statusCode === 413 || /too large/i.test(text)) {
    return { status: 413, body: { message_code: 'request_body_too_large', message: 'The request body is too large.', trace } };
  }
  if (fastifyCode.startsWith('FST_ERR_CTP_') || exception instanceof SyntaxError || /not valid JSON|Unexpected token|JSON|Body cannot be empty/i.test(text)) {
    return {
      status: 400,
      // Upstream's wording, which clients match on.
      body: { message_code: 'invalid_json_request', message: `The request JSON is invalid: '${(exception as Error).message}'. Please check the request and try again.`, trace },
    };
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = exception instanceof Error ? exception.message : 'Bad request';
    return { status: statusCode, body: { message_code: HTTP_STATUS_CODES[statusCode] ?? 'request_validation_failed', message, trace } };
  }
  if (isRedisUnavailable(exception)) {
    logger.warn(`store unavailable: ${(exception as Error).message}`);
    return { status: 503, body: { message_code: 'service_unavailable', message: 'The job store (Redis) is unavailable; try again shortly.', trace } };
  }
  logger.error(exception instanceof Error ? exception.message : String(exception), exception instanceof Error ? exception.stack : undefined);
  return { status: 500, body: { message_code: 'internal_server_error', message: 'An internal error occurred.', trace } };
}
