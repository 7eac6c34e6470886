/** Path patterns of the public API and their methods, so an unknown method gets 405, not 404. */
const ROUTES: { pattern: RegExp; methods: string[] }[] = [
  { pattern: /^\/api\/v1\/health$/, methods: ['GET'] },
  { pattern: /^\/api\/v1\/evaluations\/jobs$/, methods: ['GET', 'POST'] },
  { pattern: /^\/api\/v1\/evaluations\/jobs\/[^/]+$/, methods: ['GET', 'DELETE'] },
  { pattern: /^\/api\/v1\/evaluations\/jobs\/[^/]+\/events$/, methods: ['POST'] },
  { pattern: /^\/api\/v1\/evaluations\/jobs\/[^/]+\/logs$/, methods: ['GET'] },
  { pattern: /^\/api\/v1\/evaluations\/jobs\/[^/]+\/benchmarks\/[^/]+\/logs$/, methods: ['GET'] },
  { pattern: /^\/api\/v1\/evaluations\/(providers|collections)$/, methods: ['GET', 'POST'] },
  { pattern: /^\/api\/v1\/evaluations\/(providers|collections)\/[^/]+$/, methods: ['GET', 'PUT', 'PATCH', 'DELETE'] },
];

export function knownMethodsFor(path: string): string[] {
  const hit = ROUTES.find((r) => r.pattern.test(path));
  return hit ? (hit.methods.includes('GET') ? [...hit.methods, 'HEAD'] : hit.methods) : [];
}
