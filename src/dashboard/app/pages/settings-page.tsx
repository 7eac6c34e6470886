// The credentials the dashboard sends: bearer token and tenant, kept in this browser only.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { getSettings, saveSettings } from '../api/settings';
import { ErrorBanner } from '../components/error-banner';

export function SettingsPage() {
  const [token, setToken] = useState(getSettings().token);
  const [tenant, setTenant] = useState(getSettings().tenant);
  const [check, setCheck] = useState<{ ok?: string; error?: unknown }>({});

  const save = async (e: Event) => {
    e.preventDefault();
    saveSettings({ token, tenant });
    setCheck({});
    try {
      // A cheap authenticated read proves the token and tenant work together.
      const page = await api.listJobs({ limit: 1 });
      setCheck({ ok: `Saved. The API accepts these settings (${page.total_count} jobs visible).` });
    } catch (err) {
      setCheck({ error: err });
    }
  };

  return (
    <section data-testid="settings-page">
      <div class="page-head">
        <h2>Settings</h2>
      </div>
      <form class="form narrow" onSubmit={save} data-testid="settings-form">
        <label>
          Bearer token <span class="muted small">(when the API has authentication on; sent as Authorization: Bearer …)</span>
          <input type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} data-testid="settings-token" />
        </label>
        <label>
          Tenant <span class="muted small">(namespace, sent as X-Tenant; required in cluster mode or when a token has several tenants)</span>
          <input value={tenant} onInput={(e) => setTenant((e.target as HTMLInputElement).value)} placeholder="e.g. team-a" data-testid="settings-tenant" />
        </label>
        <div class="actions">
          <button type="submit" class="primary" data-testid="settings-save">
            Save and test
          </button>
        </div>
        <p class="muted small">Stored in this browser's localStorage, sent only to this EvalHub API.</p>
      </form>
      {check.ok ? (
        <p class="banner banner-ok" data-testid="settings-ok">
          {check.ok}
        </p>
      ) : null}
      <ErrorBanner error={check.error} context="Testing the settings" />
    </section>
  );
}
