import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from './request-context';

export function header(req: { headers: FastifyRequest['headers'] }, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s.trim() : undefined;
}

type WithCaller = FastifyRequest & { evalhubCaller?: RequestContext };

/** Set by AccessGuard once it has decided who the caller is. */
export function setCaller(req: FastifyRequest, caller: RequestContext): void {
  (req as WithCaller).evalhubCaller = caller;
}

export function callerOf(req: FastifyRequest): RequestContext {
  return (req as WithCaller).evalhubCaller ?? { requestId: String(req.id), tenant: header(req, 'x-tenant'), user: header(req, 'x-user') };
}

/** The caller's tenant, user, role and request id, decided by AccessGuard beforehand. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  return callerOf(ctx.switchToHttp().getRequest<FastifyRequest>());
});
