/** Who is calling: taken from X-Tenant / X-User (§1.1) and the request id header. */
export interface RequestContext {
  requestId: string;
  tenant?: string;
  user?: string;
}
