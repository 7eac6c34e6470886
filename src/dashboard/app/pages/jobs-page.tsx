// Jobs, newest first, filterable, kept current by the all-jobs stream; pick some to compare.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { API, api } from '../api/client';
import { openStream } from '../api/sse';
import { JOB_STATES, type Job, type JobChange } from '../api/types';
import { ErrorBanner } from '../components/error-banner';
import { ProgressBar } from '../components/progress-bar';
import { StateBadge } from '../components/state-badge';
import { fmtAgo, fmtTime } from '../lib/format';
import { jobPercent } from '../lib/progress';
import { useLoad } from '../lib/use-load';
import { href, navigate } from '../router';

/** Enough for a dashboard view; older jobs are a filter away. */
const PAGE = 200;

const TIME_WINDOWS: [string, string, number][] = [
  ['any', 'any time', 0],
  ['1h', 'last hour', 3600e3],
  ['24h', 'last 24 hours', 86400e3],
  ['7d', 'last 7 days', 7 * 86400e3],
];

export interface JobFilters {
  state: string;
  tenant: string;
  collection: string;
  model: string;
  time: string;
  text: string;
}

/** The filters the API cannot apply (tenant, collection, model, time, free text) run here. */
export function filterJobs(jobs: Job[], f: JobFilters, now = Date.now()): Job[] {
  const window = TIME_WINDOWS.find((w) => w[0] === f.time)?.[2] ?? 0;
  const text = f.text.trim().toLowerCase();
  const model = f.model.trim().toLowerCase();
  return jobs.filter((j) => {
    if (f.state && j.status.state !== f.state) return false;
    if (f.tenant && (j.resource.tenant ?? '') !== f.tenant) return false;
    if (f.collection && j.collection?.id !== f.collection) return false;
    if (model && !`${j.model.name} ${j.model.url ?? ''}`.toLowerCase().includes(model)) return false;
    if (window && now - new Date(j.resource.created_at).getTime() > window) return false;
    if (text && !`${j.name} ${j.resource.id} ${(j.tags ?? []).join(' ')}`.toLowerCase().includes(text)) return false;
    return true;
  });
}

export function JobsPage() {
  const [filters, setFilters] = useState<JobFilters>({ state: '', tenant: '', collection: '', model: '', time: 'any', text: '' });
  const [selected, setSelected] = useState<string[]>([]);
  const [live, setLive] = useState(false);
  const jobs = useLoad((signal) => api.listJobs({ limit: PAGE, status: filters.state || undefined }, signal), [filters.state]);

  // Live rows: a change of a known job updates its row; a new job is fetched and put on top.
  useEffect(() => {
    const stream = openStream(`${API}/jobs/stream`, {
      onConnection: setLive,
      onEvent: (e) => {
        if (e.event !== 'job') return;
        const change = JSON.parse(e.data) as JobChange;
        jobs.set((list) => {
          if (!list) return list!;
          const i = list.items.findIndex((j) => j.resource.id === change.id);
          if (i < 0) {
            void api.getJob(change.id).then(
              (job) => jobs.set((l) => (l && !l.items.some((j) => j.resource.id === job.resource.id) ? { ...l, items: [job, ...l.items], total_count: l.total_count + 1 } : l!)),
              () => undefined, // deleted meanwhile, or not visible to us
            );
            return list;
          }
          const old = list.items[i];
          const next: Job = { ...old, name: change.name, status: { ...old.status, state: change.state, percent: change.percent ?? old.status.percent }, resource: { ...old.resource, updated_at: change.updated_at ?? old.resource.updated_at } };
          const items = [...list.items];
          items[i] = next;
          return { ...list, items };
        });
      },
    });
    return () => stream.close();
  }, []);

  const all = jobs.data?.items ?? [];
  const shown = useMemo(() => filterJobs(all, filters), [all, filters]);
  const tenants = [...new Set(all.map((j) => j.resource.tenant).filter((t): t is string => !!t))].sort();
  const collections = [...new Set(all.map((j) => j.collection?.id).filter((c): c is string => !!c))].sort();
  const set = (k: keyof JobFilters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  return (
    <section data-testid="jobs-page">
      <div class="page-head">
        <h2>Jobs</h2>
        <span class={`live ${live ? 'on' : ''}`} data-testid="live-indicator" title="Updated live from the job stream">
          {live ? 'live' : 'offline'}
        </span>
        <div class="spacer" />
        <button type="button" disabled={selected.length < 2} onClick={() => navigate(href('compare', undefined, { ids: selected.join(',') }))} data-testid="compare-selected">
          Compare selected ({selected.length})
        </button>
        <a class="button primary" href={href('submit')}>
          New job
        </a>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()} data-testid="job-filters">
        <label>
          State
          <select value={filters.state} onChange={set('state')} data-testid="filter-state">
            <option value="">any</option>
            {JOB_STATES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tenant
          <select value={filters.tenant} onChange={set('tenant')} data-testid="filter-tenant">
            <option value="">any</option>
            {tenants.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Collection
          <select value={filters.collection} onChange={set('collection')} data-testid="filter-collection">
            <option value="">any</option>
            {collections.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Model
          <input value={filters.model} onInput={set('model')} placeholder="name or URL" data-testid="filter-model" />
        </label>
        <label>
          Created
          <select value={filters.time} onChange={set('time')} data-testid="filter-time">
            {TIME_WINDOWS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input value={filters.text} onInput={set('text')} placeholder="name, id or tag" data-testid="filter-text" />
        </label>
      </form>
      <ErrorBanner error={jobs.error} context="Loading jobs" />
      <p class="muted small">
        {jobs.loading && !jobs.data ? 'Loading…' : `${shown.length} of ${all.length} loaded jobs${jobs.data && jobs.data.total_count > all.length ? ` (${jobs.data.total_count} in all; newest ${PAGE} loaded)` : ''}`}
      </p>
      <table class="table jobs-table" data-testid="jobs-table">
        <thead>
          <tr>
            <th />
            <th>Name</th>
            <th>State</th>
            <th class="wide">Progress</th>
            <th>Model</th>
            <th>Benchmarks</th>
            <th>Tenant</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((j) => (
            <tr key={j.resource.id} data-testid="job-row" data-job-id={j.resource.id} data-state={j.status.state}>
              <td>
                <input type="checkbox" checked={selected.includes(j.resource.id)} onChange={() => toggle(j.resource.id)} aria-label={`select ${j.name}`} data-testid="job-select" />
              </td>
              <td>
                <a href={href('job', j.resource.id)} data-testid="job-link">
                  {j.name}
                </a>
                <div class="muted small mono">{j.resource.id}</div>
              </td>
              <td>
                <StateBadge state={j.status.state} />
              </td>
              <td>
                <ProgressBar value={jobPercent(j.status) / 100} label={`${j.name} progress`} />
              </td>
              <td class="mono small">{j.model.name}</td>
              <td class="small">{j.collection ? `collection ${j.collection.id}` : j.risk_category ? `risk ${j.risk_category}` : (j.benchmarks ?? []).map((b) => b.id).join(', ')}</td>
              <td class="small">{j.resource.tenant ?? '—'}</td>
              <td class="small" title={fmtTime(j.resource.created_at)}>
                {fmtAgo(j.resource.created_at)}
              </td>
            </tr>
          ))}
          {jobs.data && !shown.length ? (
            <tr>
              <td colSpan={8} class="muted">
                {all.length ? 'No job matches these filters.' : 'No jobs yet: '}
                {all.length ? null : <a href={href('submit')}>submit one</a>}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
