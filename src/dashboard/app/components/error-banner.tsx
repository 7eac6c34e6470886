// An API error as the user should read it; credential problems say what to set and where.
import { ApiError } from '../api/client';
import { href } from '../router';

export function authAdvice(e: ApiError): string {
  if (e.code === 'missing_tenant_header') return 'This API needs a tenant: set one in Settings (it is sent as X-Tenant).';
  if (e.code === 'missing_user_header') return 'This API runs without authentication behind a proxy and expects X-User: open the dashboard through that proxy.';
  if (e.status === 401) return 'The API needs a valid bearer token: set it in Settings (it is sent as Authorization: Bearer <token>).';
  return 'Your token may not do this here: pick a tenant it may use in Settings, or use a token with a higher role.';
}

export function ErrorBanner({ error, context }: { error: unknown; context?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : undefined;
  const text = e ? e.message : error instanceof Error ? error.message : String(error);
  return (
    <div class={`banner ${e?.isAuth ? 'banner-auth' : 'banner-error'}`} role="alert" data-testid={e?.isAuth ? 'auth-error' : 'error'}>
      <strong>{context ? `${context}: ` : ''}</strong>
      {e ? <code>{e.status} {e.code}</code> : null} {text}
      {e?.isAuth ? (
        <div>
          {authAdvice(e)} <a href={href('settings')}>Open Settings</a>
        </div>
      ) : null}
      {e?.trace ? <div class="muted small">trace {e.trace}</div> : null}
    </div>
  );
}
