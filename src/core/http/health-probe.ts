/**
 * The contract's health check. Probes (load balancers, kubelets, clients waiting for the service)
 * send it often: every path that serves it (the fast path, off a connection's bytes or through
 * Node's parser, and the Nest route) gives this answer.
 */

/** The contract's health check: probed often, and needs nothing of the framework. */
export const CONTRACT_HEALTH = '/api/v1/health';
export const REQUEST_ID_HEADER = 'x-global-transaction-id';

let lastBody = { ms: NaN, text: '' };

/** The contract health check's answer at a time (every path that serves it); ASCII only. */
export function healthBody(ms = Date.now()): string {
  // Probes come many to the millisecond under load: the answer of one serves the others.
  if (ms !== lastBody.ms) lastBody = { ms, text: `{"status":"healthy","timestamp":"${new Date(ms).toISOString()}"}` };
  return lastBody.text;
}
