import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from './request-context';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s.trim() : undefined;
}

export function callerOf(req: FastifyRequest): RequestContext {
  return { requestId: String(req.id), tenant: header(req, 'x-tenant'), user: header(req, 'x-user') };
}

/** The caller's tenant, user and request id (§1.1), checked by TenancyGuard beforehand. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  return callerOf(ctx.switchToHttp().getRequest<FastifyRequest>());
});
