/**
 * The contract's health check. Probes (load balancers, kubelets, clients waiting for the service)
 * send it often: every path that serves it (the fast path, off a connection's bytes or through
 * Node's parser, and the Nest route) gives this answer.
 */

/** The contract's health check: probed often, and needs nothing of the framework. */
export const CONTRACT_HEALTH = '/api/v1/health';
export const REQUEST_ID_HEADER = 'x-global-transaction-id';

/** The contract health check's answer (every path that serves it); ASCII only. */
export function healthBody(now = new Date()): string {
  return `{"status":"healthy","timestamp":"${now.toISOString()}"}`;
}
