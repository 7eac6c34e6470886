/**
 * The methods each registered path answers, collected from Fastify's onRoute hook as Nest adds its
 * routes, so a known path with another method gets 405 (not 404) without a hand-kept list.
 */
const ROUTES = new Map<string, { pattern: RegExp; methods: Set<string> }>();

export function registerRoute(url: string, method: string | string[]): void {
  if (url.includes('*')) return;
  let entry = ROUTES.get(url);
  if (!entry) {
    const source = url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    // Exact paths only: `/providers/` is an empty id (404, as upstream), not the list route.
    entry = { pattern: new RegExp(`^${source}$`), methods: new Set() };
    ROUTES.set(url, entry);
  }
  for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
}

export function knownMethodsFor(path: string): string[] {
  const methods = new Set<string>();
  for (const r of ROUTES.values()) if (r.pattern.test(path)) r.methods.forEach((m) => methods.add(m));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods];
}
