// Who the dashboard calls the API as: a bearer token and a tenant (X-Tenant), chosen on the
// settings page and kept in this browser's localStorage only.

export interface Settings {
  token: string;
  tenant: string;
}

const KEYS = { token: 'evalhub.token', tenant: 'evalhub.tenant' } as const;
const listeners = new Set<(s: Settings) => void>();

function read(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return ''; // storage disabled (private mode, sandboxed frame): nothing saved
  }
}

// Kept in memory too, so settings still apply for this page's life where storage is disabled.
let current: Settings = { token: read(KEYS.token), tenant: read(KEYS.tenant) };

export function getSettings(): Settings {
  return current;
}

export function saveSettings(next: Settings): void {
  current = { token: next.token.trim(), tenant: next.tenant.trim() };
  for (const k of ['token', 'tenant'] as const) {
    try {
      if (current[k]) localStorage.setItem(KEYS[k], current[k]);
      else localStorage.removeItem(KEYS[k]);
    } catch {
      /* not persisted */
    }
  }
  listeners.forEach((l) => l(current));
}

export function onSettingsChange(fn: (s: Settings) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The headers every API call carries for the current settings. */
export function authHeaders(s: Settings = current): Record<string, string> {
  const h: Record<string, string> = {};
  if (s.token) h.Authorization = `Bearer ${s.token}`;
  if (s.tenant) h['X-Tenant'] = s.tenant;
  return h;
}
