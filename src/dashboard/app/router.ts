// Hash routes (#/jobs, #/jobs/<id>, #/catalog, #/submit, #/compare?ids=a,b, #/settings): the
// server serves one page for every dashboard URL, so no server routes are needed per page.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  page: 'jobs' | 'job' | 'catalog' | 'submit' | 'compare' | 'settings';
  id?: string;
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path, qs] = hash.replace(/^#\/?/, '').split('?', 2);
  const query = new URLSearchParams(qs ?? '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'jobs' && parts[1]) return { page: 'job', id: parts[1], query };
  if (parts[0] === 'catalog' || parts[0] === 'submit' || parts[0] === 'compare' || parts[0] === 'settings') return { page: parts[0], query };
  return { page: 'jobs', query };
}

export function href(page: Route['page'], id?: string, query?: Record<string, string>): string {
  const base = page === 'job' ? `#/jobs/${encodeURIComponent(id ?? '')}` : `#/${page}`;
  const q = new URLSearchParams(query ?? {}).toString();
  return q ? `${base}?${q}` : base;
}

export function navigate(to: string): void {
  location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
