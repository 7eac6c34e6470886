import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Authenticator } from '../auth/identity';
import { AppConfig } from '../config/app-config';
import { ApiError } from '../errors/api-error';
import { atLeast, chooseTenant, roleFor, TENANT_PATTERN, USER_PATTERN, verbAndResource } from '../../domain/access';
import { header, setCaller } from './caller.decorator';
import { CALLBACK_TOKEN_HEADER, PlainRequest } from './fast-path';
import { RequestContext } from './request-context';

const EVENTS_PATH = /^\/api\/v1\/evaluations\/jobs\/[^/]+\/events$/;

/**
 * Decides who calls every /api/v1/evaluations route, before any handler runs:
 * - adapter callbacks with a run's callback token pass here; the events route checks the token;
 * - with authentication on, a bearer token is required, the user comes from it and X-Tenant only
 *   chooses among the tenants it may use; the verb is authorized per tenant;
 * - without it (one user on loopback, or behind an authenticating proxy), X-Tenant / X-User are
 *   taken as given, and required in cluster mode.
 * Header values must match the documented patterns either way.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly cfg: AppConfig,
    private readonly authenticator?: Authenticator,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const path = (req.url ?? '').split('?')[0];
    if (!path.startsWith('/api/v1/evaluations')) return true;
    setCaller(req, await this.callerFor({ id: String(req.id), method: req.method, url: req.url, headers: req.headers }));
    return true;
  }

  /** Who calls an /api/v1/evaluations route (throws ApiError when nobody may). */
  async callerFor(req: PlainRequest): Promise<RequestContext> {
    const path = req.url.split('?')[0];
    const tenantHeader = header(req, 'x-tenant');
    const userHeader = header(req, 'x-user');
    if (tenantHeader !== undefined && !TENANT_PATTERN.test(tenantHeader)) {
      throw new ApiError('invalid_tenant_header', 'The X-Tenant header must be a namespace name: lower-case letters, digits and -, at most 63 characters.');
    }
    if (userHeader !== undefined && !USER_PATTERN.test(userHeader)) {
      throw new ApiError('invalid_user_header', 'The X-User header must be a user name: letters, digits and @._:+-, at most 253 characters.');
    }
    const requestId = req.id;
    // The token names its job, tenant and benchmarks; the events route checks it.
    if (EVENTS_PATH.test(path) && req.method === 'POST' && header(req, CALLBACK_TOKEN_HEADER)) return { requestId };
    const cluster = this.cfg.tenancyMode === 'cluster';
    if (!this.authenticator) {
      if (cluster && !tenantHeader) throw new ApiError('missing_tenant_header', 'The X-Tenant header is required.');
      if (cluster && !userHeader && !EVENTS_PATH.test(path)) throw new ApiError('missing_user_header', 'The X-User header is required.');
      // One user on this machine owns everything; behind a proxy the headers say who, not what.
      return { requestId, tenant: tenantHeader, user: userHeader, role: cluster ? 'submitter' : 'admin' };
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    if (!bearer) throw new ApiError('unauthorized', 'Authentication is required: send Authorization: Bearer <token>.');
    const identity = await this.ask(() => this.authenticator!.authenticate(bearer));
    if (!identity) throw new ApiError('unauthorized', 'The bearer token is not valid.');
    const choice = chooseTenant(identity, tenantHeader, cluster);
    if ('error' in choice) {
      if (choice.error === 'missing') throw new ApiError('missing_tenant_header', 'The X-Tenant header is required: this token may act in more than one tenant.');
      throw new ApiError('forbidden', `The token of '${identity.user}' may not act in tenant '${tenantHeader}'.`);
    }
    const { verb, resource } = verbAndResource(req.method, path);
    const allowed = this.authenticator.authorize
      ? await this.ask(() => this.authenticator!.authorize!(identity, choice.tenant, verb, resource))
      : atLeast(identity.role, roleFor(verb));
    if (!allowed) throw new ApiError('forbidden', `'${identity.user}' may not ${verb} ${resource}${choice.tenant ? ` in tenant '${choice.tenant}'` : ''}.`);
    return { requestId, tenant: choice.tenant, user: identity.user, role: identity.role, authenticated: true };
  }

  /** A token or access review that cannot be done now is a 503 (retry), never a 500 or a pass. */
  private async ask<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new ApiError('service_unavailable', `Credentials cannot be checked right now: ${(e as Error).message}`);
    }
  }
}
