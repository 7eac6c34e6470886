/**
 * The methods each registered path answers, collected from Fastify's onRoute hook as Nest adds its
 * routes, so a known path with another method gets 405 (not 404) without a hand-kept list.
 */
const ROUTES = new Map<string, { pattern: RegExp; methods: Set<string>; params: number }>();

export function registerRoute(url: string, method: string | string[]): void {
  if (url.includes('*')) return;
  let entry = ROUTES.get(url);
  if (!entry) {
    const source = url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    // Exact paths only: `/providers/` is an empty id (404, as upstream), not the list route.
    entry = { pattern: new RegExp(`^${source}$`), methods: new Set(), params: url.split('/').filter((seg) => seg.startsWith(':')).length };
    ROUTES.set(url, entry);
  }
  for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
}

export function knownMethodsFor(path: string): string[] {
  const methods = new Set<string>();
  // As the router does: a fixed segment wins over a parameter (`/jobs/compare` is not `/jobs/:id`).
  const matches = [...ROUTES.values()].filter((r) => r.pattern.test(path));
  const fewest = Math.min(...matches.map((r) => r.params));
  for (const r of matches) if (r.params === fewest) r.methods.forEach((m) => methods.add(m));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods];
}

/** Whether a route with exactly this path and no parameters exists (it wins over `/:id`). */
export function isStaticRoute(path: string): boolean {
  return ROUTES.get(path)?.params === 0;
}
