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
