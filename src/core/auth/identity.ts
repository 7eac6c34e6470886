import type { Identity, Verb } from '../../domain/identity';

export type { Identity, Role, Verb } from '../../domain/identity';
export { ROLES } from '../../domain/identity';

/** Checks bearer tokens. Implementations: a token file (core/auth), Kubernetes TokenReview (kubernetes/). */
export interface Authenticator {
  authenticate(token: string): Promise<Identity | undefined>;
  /** Whether the identity may do `verb` on `resource` in `tenant`; by role when absent. */
  authorize?(identity: Identity, tenant: string | undefined, verb: Verb, resource: string): Promise<boolean>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
