/** Who a bearer token belongs to and what it may do (README "Security"). */
export type Role = 'viewer' | 'submitter' | 'admin';

export const ROLES: readonly Role[] = ['viewer', 'submitter', 'admin'];

export interface Identity {
  user: string;
  /** Tenants the token may act in; '*' for all. X-Tenant only chooses among these. */
  tenants: string[] | '*';
  role: Role;
}

export type Verb = 'get' | 'list' | 'create' | 'update' | 'delete';

/** Checks bearer tokens. Implementations: a token file (core/auth), Kubernetes TokenReview (kubernetes/). */
export interface Authenticator {
  authenticate(token: string): Promise<Identity | undefined>;
  /** Whether the identity may do `verb` on `resource` in `tenant`; by role when absent. */
  authorize?(identity: Identity, tenant: string | undefined, verb: Verb, resource: string): Promise<boolean>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
