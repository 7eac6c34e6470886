// The shell: navigation, the credentials banner, and the page of the current route.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, answers, onAuthError } from './api/client';
import { getSettings, onSettingsChange } from './api/settings';
import { ErrorBanner } from './components/error-banner';
import { CatalogPage } from './pages/catalog-page';
import { ComparePage } from './pages/compare-page';
import { JobPage } from './pages/job-page';
import { JobsPage } from './pages/jobs-page';
import { SettingsPage } from './pages/settings-page';
import { SubmitPage } from './pages/submit-page';
import { href, useRoute, type Route } from './router';

const NAV: [Route['page'], string][] = [
  ['jobs', 'Jobs'],
  ['submit', 'Submit'],
  ['catalog', 'Catalog'],
  ['compare', 'Compare'],
  ['settings', 'Settings'],
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'job':
      return <JobPage id={route.id!} />;
    case 'catalog':
      return <CatalogPage />;
    case 'submit':
      return <SubmitPage query={route.query} />;
    case 'compare':
      return <ComparePage query={route.query} />;
    case 'settings':
      return <SettingsPage />;
    default:
      return <JobsPage />;
  }
}

export function App() {
  const route = useRoute();
  const [authError, setAuthError] = useState<ApiError>();
  const [settings, setSettings] = useState(getSettings());
  const [bullBoard, setBullBoard] = useState(false);

  useEffect(() => onAuthError(setAuthError), []);
  // New credentials may fix it: hide the banner until the API refuses again.
  useEffect(() => onSettingsChange((s) => (setSettings(s), setAuthError(undefined))), []);
  // Bull Board is optional: link to it only where it answers.
  useEffect(() => void answers('/admin/queues').then(setBullBoard), []);

  const active = route.page === 'job' ? 'jobs' : route.page;
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={href('jobs')}>
          EvalHub
        </a>
        <nav>
          {NAV.map(([page, label]) => (
            <a key={page} href={href(page)} class={active === page ? 'active' : ''} data-testid={`nav-${page}`}>
              {label}
            </a>
          ))}
        </nav>
        <div class="spacer" />
        <span class="muted small" data-testid="identity">
          {settings.tenant ? `tenant ${settings.tenant}` : 'no tenant'} · {settings.token ? 'token set' : 'no token'}
        </span>
        {bullBoard ? (
          <a class="small" href="/admin/queues" target="_blank" rel="noopener" data-testid="bull-board-link">
            Queues
          </a>
        ) : null}
        <a class="small" href="/docs" target="_blank" rel="noopener">
          API docs
        </a>
      </header>
      <main>
        {authError && route.page !== 'settings' ? <ErrorBanner error={authError} /> : null}
        <Page route={route} />
      </main>
    </div>
  );
}
