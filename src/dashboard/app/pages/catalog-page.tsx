// What can be evaluated: providers with their benchmarks (and whether they run here), and
// collections with their weights and thresholds.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Collection, Provider, ProviderBenchmark } from '../api/types';
import { ErrorBanner } from '../components/error-banner';
import { fmtNumber } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { href } from '../router';

interface CatalogFilters {
  text: string;
  category: string;
  tag: string;
  runnableOnly: boolean;
}

export function benchmarkMatches(p: Provider, b: ProviderBenchmark, f: CatalogFilters): boolean {
  if (f.category && b.category !== f.category) return false;
  if (f.tag && !(b.tags ?? []).includes(f.tag) && !(p.tags ?? []).includes(f.tag)) return false;
  const t = f.text.trim().toLowerCase();
  if (t && !`${b.id} ${b.name} ${b.description ?? ''} ${p.resource.id} ${p.name}`.toLowerCase().includes(t)) return false;
  return true;
}

function ProviderCard({ provider, benchmarks, open }: { provider: Provider; benchmarks: ProviderBenchmark[]; open: boolean }) {
  const a = provider.availability;
  return (
    <article class="card" data-testid="provider" data-provider-id={provider.resource.id} data-runnable={a?.runnable ? 'true' : 'false'}>
      <header class="card-head">
        <h3>{provider.title || provider.name}</h3>
        <span class="mono muted small">{provider.resource.id}</span>
        {a ? (
          <span class={`badge ${a.runnable ? 'pass' : 'neutral'}`} title={a.reason ?? ''} data-testid="availability">
            {a.runnable ? `runs here (${a.executor ?? a.runtime})` : 'not runnable here'}
          </span>
        ) : null}
      </header>
      {provider.description ? <p class="small">{provider.description}</p> : null}
      {a && !a.runnable && a.reason ? <p class="small muted">{a.reason}</p> : null}
      <details open={open}>
        <summary>
          {benchmarks.length} of {provider.benchmarks.length} benchmarks
        </summary>
        <table class="table" data-testid="provider-benchmarks">
          <thead>
            <tr>
              <th>Benchmark</th>
              <th>Category</th>
              <th>Primary metric</th>
              <th class="num">Threshold</th>
              <th class="num">Size</th>
              <th>Tags</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {benchmarks.map((b) => (
              <tr key={b.id} data-testid="catalog-benchmark" data-benchmark-id={b.id}>
                <td>
                  <div class="mono">{b.id}</div>
                  <div class="small muted">{b.name}</div>
                </td>
                <td>{b.category}</td>
                <td class="mono small">
                  {b.primary_score?.metric ?? '—'}
                  {b.primary_score?.lower_is_better ? ' ↓' : ''}
                </td>
                <td class="num">{b.pass_criteria ? fmtNumber(b.pass_criteria.threshold) : '—'}</td>
                <td class="num">{b.dataset_size ? fmtNumber(b.dataset_size) : '—'}</td>
                <td class="small">{(b.tags ?? []).join(', ')}</td>
                <td>
                  <a class="small" href={href('submit', undefined, { provider: provider.resource.id, benchmark: b.id })}>
                    evaluate
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </article>
  );
}

function CollectionCard({ c }: { c: Collection }) {
  const total = c.benchmarks.reduce((s, b) => s + (b.weight ?? 1), 0);
  return (
    <article class="card" data-testid="collection" data-collection-id={c.resource.id}>
      <header class="card-head">
        <h3>{c.name}</h3>
        <span class="mono muted small">{c.resource.id}</span>
        <span class="badge neutral">{c.category}</span>
        <span class="small">pass at {c.pass_criteria ? fmtNumber(c.pass_criteria.threshold) : '0.5 (default)'}</span>
      </header>
      {c.description ? <p class="small">{c.description}</p> : null}
      <details>
        <summary>{c.benchmarks.length} benchmarks</summary>
        <table class="table">
          <thead>
            <tr>
              <th>Benchmark</th>
              <th>Provider</th>
              <th>Primary metric</th>
              <th class="num">Threshold</th>
              <th class="num">Weight</th>
              <th class="num">Share</th>
            </tr>
          </thead>
          <tbody>
            {c.benchmarks.map((b, i) => (
              <tr key={`${b.provider_id}/${b.id}/${i}`}>
                <td class="mono">{b.id}</td>
                <td class="small">{b.provider_id}</td>
                <td class="mono small">{b.primary_score?.metric ?? 'provider default'}</td>
                <td class="num">{b.pass_criteria ? fmtNumber(b.pass_criteria.threshold) : '—'}</td>
                <td class="num">{fmtNumber(b.weight ?? 1)}</td>
                <td class="num">{total ? `${Math.round(((b.weight ?? 1) / total) * 100)}%` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <p>
        <a class="small" href={href('submit', undefined, { collection: c.resource.id })}>
          evaluate this collection
        </a>
      </p>
    </article>
  );
}

export function CatalogPage() {
  const providers = useLoad((signal) => api.listProviders(signal), []);
  const collections = useLoad((signal) => api.listCollections(signal), []);
  const [f, setF] = useState<CatalogFilters>({ text: '', category: '', tag: '', runnableOnly: false });
  const list = providers.data?.items ?? [];
  const categories = useMemo(() => [...new Set(list.flatMap((p) => p.benchmarks.map((b) => b.category)).filter(Boolean))].sort(), [list]);
  const tags = useMemo(() => [...new Set(list.flatMap((p) => [...(p.tags ?? []), ...p.benchmarks.flatMap((b) => b.tags ?? [])]))].sort(), [list]);
  const filtering = !!(f.text || f.category || f.tag);
  const shown = list
    .filter((p) => !f.runnableOnly || p.availability?.runnable)
    .map((p) => ({ p, benchmarks: p.benchmarks.filter((b) => benchmarkMatches(p, b, f)) }))
    .filter((x) => !filtering || x.benchmarks.length > 0);
  const cols = (collections.data?.items ?? []).filter((c) => {
    const t = f.text.trim().toLowerCase();
    if (f.category && c.category !== f.category) return false;
    if (f.tag && !(c.tags ?? []).includes(f.tag)) return false;
    return !t || `${c.resource.id} ${c.name} ${c.description ?? ''}`.toLowerCase().includes(t);
  });
  const set = (k: keyof CatalogFilters) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setF({ ...f, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };
  return (
    <section data-testid="catalog-page">
      <div class="page-head">
        <h2>Catalog</h2>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input value={f.text} onInput={set('text')} placeholder="benchmark, provider…" data-testid="catalog-search" />
        </label>
        <label>
          Category
          <select value={f.category} onChange={set('category')} data-testid="catalog-category">
            <option value="">any</option>
            {categories.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <select value={f.tag} onChange={set('tag')} data-testid="catalog-tag">
            <option value="">any</option>
            {tags.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={f.runnableOnly} onChange={set('runnableOnly')} data-testid="catalog-runnable" /> runnable here only
        </label>
      </form>
      <ErrorBanner error={providers.error} context="Loading providers" />
      <h3>Providers</h3>
      {providers.loading && !providers.data ? <p class="muted">Loading…</p> : null}
      {shown.map(({ p, benchmarks }) => (
        <ProviderCard key={p.resource.id} provider={p} benchmarks={benchmarks} open={filtering && benchmarks.length <= 30} />
      ))}
      {providers.data && !shown.length ? <p class="muted">No provider matches.</p> : null}
      <h3>Collections</h3>
      <ErrorBanner error={collections.error} context="Loading collections" />
      {cols.map((c) => (
        <CollectionCard key={c.resource.id} c={c} />
      ))}
    </section>
  );
}
