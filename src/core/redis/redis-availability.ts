/** True for the errors ioredis raises while the server cannot be reached (fail-fast connection). */
export function isRedisUnavailable(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : '';
  return /Stream isn't writeable|Connection is closed|ECONNREFUSED|MaxRetriesPerRequest|enableOfflineQueue/i.test(msg);
}

/**
 * Runs `fn`, and while Redis is unreachable runs it again every `everyMs` for up to `maxWaitMs`.
 * For writes that must not be lost to a short Redis outage (failover, restart): an adapter's
 * status callback is sent once and never retried by the SDK.
 */
export async function whileRedisDown<T>(fn: () => Promise<T>, maxWaitMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!isRedisUnavailable(e) || Date.now() + everyMs > deadline) throw e;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
