import { AsyncLocalStorage } from 'async_hooks';

/** Who is calling: taken from X-Tenant / X-User (§1.1) and the request id header. */
export interface RequestContext {
  requestId: string;
  tenant?: string;
  user?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext {
  return requestContext.getStore() ?? { requestId: 'internal' };
}
