import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ApiError } from '../errors/api-error';
import { callerOf } from './caller.decorator';

/**
 * Cluster mode: every /api/v1/evaluations route needs X-Tenant and X-User, which the
 * authenticating proxy in front of EvalHub sets. Adapter callbacks (/events) arrive through the
 * sidecar with X-Tenant only. Local mode needs neither.
 */
@Injectable()
export class TenancyGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly cfg: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (this.cfg.tenancyMode !== 'cluster') return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const path = (req.url ?? '').split('?')[0];
    if (!path.startsWith('/api/v1/evaluations')) return true;
    const caller = callerOf(req);
    if (!caller.tenant) throw new ApiError('missing_tenant_header', 'The X-Tenant header is required.');
    if (!caller.user && !/\/events$/.test(path)) throw new ApiError('missing_user_header', 'The X-User header is required.');
    return true;
  }
}
