import { Identity, Role, ROLES, Verb } from './identity';

/** Tenants are Kubernetes namespace names; users are Kubernetes user names (service accounts too). */
export const TENANT_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const USER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9@._:+-]{0,252}$/;

export function atLeast(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The Kubernetes-style verb and resource of an API request, for authorization. */
export function verbAndResource(method: string, path: string): { verb: Verb; resource: string } {
  const m = /^\/api\/v1\/evaluations\/([a-z]+)(\/[^/]+)?/.exec(path);
  const kind = m?.[1] ?? '';
  const resource = kind === 'jobs' ? 'evaluationjobs' : kind;
  const verb: Verb =
    method === 'GET' || method === 'HEAD' ? (m?.[2] ? 'get' : 'list') : method === 'POST' ? 'create' : method === 'DELETE' ? 'delete' : 'update';
  return { verb, resource };
}

/** The least role a verb needs when authorization goes by role. */
export function roleFor(verb: Verb): Role {
  return verb === 'get' || verb === 'list' ? 'viewer' : 'submitter';
}

export type TenantChoice = { tenant: string | undefined } | { error: 'missing' | 'not_allowed' };

/**
 * The tenant a request acts in: X-Tenant when the identity may use it; the identity's only tenant
 * when none is given; none at all only where tenants are optional (local mode, '*' tokens).
 */
export function chooseTenant(identity: Identity, header: string | undefined, required: boolean): TenantChoice {
  if (header !== undefined) {
    if (identity.tenants !== '*' && !identity.tenants.includes(header)) return { error: 'not_allowed' };
    return { tenant: header };
  }
  if (identity.tenants !== '*' && identity.tenants.length === 1) return { tenant: identity.tenants[0] };
  if (identity.tenants !== '*' || required) return { error: 'missing' };
  return { tenant: undefined };
}
