/** Upstream's route patterns: Go ServeMux `{name}` wildcards, `not_found` for unmatched paths. */
export function otelRoute(route: string): string {
  if (route === 'unmatched') return 'not_found';
  return route.replace(/:([A-Za-z_]+)/g, (_, name: string) => `{${name === 'index' ? 'benchmark_index' : name}}`);
}
