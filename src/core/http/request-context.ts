import { Role } from '../auth/identity';

/** Who is calling: from the bearer token when authentication is on, else X-Tenant / X-User (§1.1). */
export interface RequestContext {
  requestId: string;
  tenant?: string;
  user?: string;
  /** What the caller may do; local mode without authentication is the single user, an admin. */
  role?: Role;
  /** Whether a credential proved who this is (a token, not just headers). */
  authenticated?: boolean;
}
