// Builds a job request (benchmarks with parameters, a collection, or a risk category), shows it
// as curl and Python SDK code, and submits it.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api/client';
import { getSettings } from '../api/settings';
import { RISK_CATEGORIES, type Job, type Provider } from '../api/types';
import { CodeBlock } from '../components/code-block';
import { ErrorBanner } from '../components/error-banner';
import { buildRequest, emptyForm, parameterSpecs, type JobForm, type PickedBenchmark } from '../lib/job-request';
import { curlSnippet, pythonSnippet } from '../lib/snippets';
import { useLoad } from '../lib/use-load';
import { href } from '../router';

const RISK_HELP: Record<string, string> = {
  low: 'hellaswag and arc_easy (lm-eval)',
  medium: 'low + arc_challenge and winogrande',
  high: 'medium + mmlu',
  critical: 'high + gsm8k (all examples)',
};

function PickedRow({ b, provider, onChange, onRemove }: { b: PickedBenchmark; provider?: Provider; onChange(b: PickedBenchmark): void; onRemove(): void }) {
  const specs = parameterSpecs(provider, provider?.benchmarks.find((x) => x.id === b.id));
  const listId = `params-${b.provider_id}-${b.id}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const setParam = (i: number, k: 'key' | 'value', v: string) => onChange({ ...b, params: b.params.map((p, j) => (j === i ? { ...p, [k]: v } : p)) });
  return (
    <div class="picked" data-testid="picked-benchmark" data-benchmark-id={b.id}>
      <div class="picked-head">
        <span class="mono">{b.id}</span> <span class="muted small">{b.provider_id}</span>
        <div class="spacer" />
        <button type="button" class="link" onClick={onRemove} data-testid="remove-benchmark">
          remove
        </button>
      </div>
      <datalist id={listId}>
        {specs.map((s) => (
          <option key={s.name} value={s.name}>
            {s.description ?? ''}
          </option>
        ))}
      </datalist>
      {b.params.map((p, i) => (
        <div class="param" key={i} data-testid="param">
          <input list={listId} value={p.key} placeholder="parameter" onInput={(e) => setParam(i, 'key', (e.target as HTMLInputElement).value)} data-testid="param-key" />
          <input value={p.value} placeholder="value (JSON or text)" onInput={(e) => setParam(i, 'value', (e.target as HTMLInputElement).value)} data-testid="param-value" />
          <button type="button" class="link" onClick={() => onChange({ ...b, params: b.params.filter((_, j) => j !== i) })}>
            ×
          </button>
        </div>
      ))}
      <button type="button" class="link small" onClick={() => onChange({ ...b, params: [...b.params, { key: '', value: '' }] })} data-testid="add-param">
        + parameter
      </button>
      <span class="muted small"> accepted: {specs.map((s) => s.name).join(', ')}</span>
    </div>
  );
}

export function SubmitPage({ query }: { query: URLSearchParams }) {
  const providers = useLoad((signal) => api.listProviders(signal), []);
  const collections = useLoad((signal) => api.listCollections(signal), []);
  const [form, setForm] = useState<JobForm>(emptyForm);
  const [providerId, setProviderId] = useState('');
  const [benchmarkId, setBenchmarkId] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>();
  const [submitted, setSubmitted] = useState<{ job: Job; body: ReturnType<typeof buildRequest> }>();

  const plist = providers.data?.items ?? [];
  const provider = plist.find((p) => p.resource.id === providerId);

  // Links from the catalog (?provider=&benchmark=, ?collection=) preselect what to evaluate, once
  // the catalog is loaded (an unknown benchmark is not added).
  useEffect(() => {
    if (!providers.data) return;
    const p = query.get('provider');
    const b = query.get('benchmark');
    const c = query.get('collection');
    const known = providers.data.items.find((x) => x.resource.id === p);
    if (known) setProviderId(known.resource.id);
    if (known && b && known.benchmarks.some((x) => x.id === b)) {
      setForm((f) => (f.benchmarks.some((x) => x.id === b && x.provider_id === p) ? f : { ...f, mode: 'benchmarks', benchmarks: [...f.benchmarks, { provider_id: known.resource.id, id: b, params: [] }] }));
    }
    if (c) setForm((f) => ({ ...f, mode: 'collection', collectionId: c }));
  }, [query.toString(), providers.data]);

  const body = useMemo(() => buildRequest(form), [form]);
  const ctx = { baseUrl: location.origin, hasToken: !!getSettings().token, tenant: getSettings().tenant };
  const set = (k: keyof JobForm) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });

  const add = () => {
    if (!providerId || !benchmarkId) return;
    setForm({ ...form, benchmarks: [...form.benchmarks, { provider_id: providerId, id: benchmarkId, params: [] }] });
    setBenchmarkId('');
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSubmitting(true);
    try {
      const job = await api.submitJob(body);
      setSubmitted({ job, body });
    } catch (err) {
      setError(err);
    } finally {
      setSubmitting(false);
    }
  };

  const shownBody = submitted?.body ?? body;
  return (
    <section data-testid="submit-page">
      <div class="page-head">
        <h2>New evaluation job</h2>
      </div>
      <ErrorBanner error={providers.error} context="Loading providers" />
      <div class="two-col">
        <form class="form" onSubmit={submit} data-testid="submit-form">
          <fieldset>
            <legend>Job</legend>
            <label>
              Name
              <input required value={form.name} onInput={set('name')} data-testid="submit-name" />
            </label>
            <label>
              Tags <span class="muted small">(comma-separated)</span>
              <input value={form.tags} onInput={set('tags')} data-testid="submit-tags" />
            </label>
            <label>
              Description
              <input value={form.description} onInput={set('description')} />
            </label>
            <label>
              MLflow experiment <span class="muted small">(optional)</span>
              <input value={form.experimentName} onInput={set('experimentName')} data-testid="submit-experiment" />
            </label>
          </fieldset>
          <fieldset>
            <legend>Model</legend>
            <label>
              URL <span class="muted small">(OpenAI-compatible, e.g. http://vllm:8000/v1)</span>
              <input value={form.modelUrl} onInput={set('modelUrl')} data-testid="submit-model-url" />
            </label>
            <label>
              Name
              <input required value={form.modelName} onInput={set('modelName')} data-testid="submit-model-name" />
            </label>
            <label>
              Key <span class="muted small">(optional secret_ref, e.g. env:EVALHUB_SECRET_MODEL_KEY)</span>
              <input value={form.secretRef} onInput={set('secretRef')} data-testid="submit-secret-ref" />
            </label>
          </fieldset>
          <fieldset>
            <legend>What to evaluate</legend>
            <div class="radios">
              {(
                [
                  ['benchmarks', 'Benchmarks'],
                  ['collection', 'A collection'],
                  ['risk_category', 'A risk category'],
                ] as const
              ).map(([m, label]) => (
                <label class="check" key={m}>
                  <input type="radio" name="mode" checked={form.mode === m} onChange={() => setForm({ ...form, mode: m })} data-testid={`mode-${m}`} /> {label}
                </label>
              ))}
            </div>
            {form.mode === 'benchmarks' ? (
              <div>
                <div class="picker">
                  <label>
                    Provider
                    <select value={providerId} onChange={(e) => (setProviderId((e.target as HTMLSelectElement).value), setBenchmarkId(''))} data-testid="submit-provider">
                      <option value="">choose…</option>
                      {plist.map((p) => (
                        <option key={p.resource.id} value={p.resource.id}>
                          {p.title || p.name} ({p.resource.id}){p.availability && !p.availability.runnable ? ' — not runnable here' : ''}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Benchmark
                    <select value={benchmarkId} onChange={(e) => setBenchmarkId((e.target as HTMLSelectElement).value)} disabled={!provider} data-testid="submit-benchmark">
                      <option value="">choose…</option>
                      {(provider?.benchmarks ?? []).map((b) => (
                        <option key={b.id} value={b.id}>
                          {b.id} — {b.name}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button type="button" onClick={add} disabled={!benchmarkId} data-testid="add-benchmark">
                    Add
                  </button>
                </div>
                {provider?.availability && !provider.availability.runnable ? <p class="small text-fail">{provider.availability.reason}</p> : null}
                {form.benchmarks.map((b, i) => (
                  <PickedRow
                    key={`${b.provider_id}/${b.id}/${i}`}
                    b={b}
                    provider={plist.find((p) => p.resource.id === b.provider_id)}
                    onChange={(nb) => setForm({ ...form, benchmarks: form.benchmarks.map((x, j) => (j === i ? nb : x)) })}
                    onRemove={() => setForm({ ...form, benchmarks: form.benchmarks.filter((_, j) => j !== i) })}
                  />
                ))}
                {!form.benchmarks.length ? <p class="muted small">Add at least one benchmark.</p> : null}
              </div>
            ) : form.mode === 'collection' ? (
              <label>
                Collection
                <select value={form.collectionId} onChange={set('collectionId')} data-testid="submit-collection">
                  <option value="">choose…</option>
                  {(collections.data?.items ?? []).map((c) => (
                    <option key={c.resource.id} value={c.resource.id}>
                      {c.name} ({c.resource.id}, {c.benchmarks.length} benchmarks)
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <label>
                Risk category
                <select value={form.riskCategory} onChange={set('riskCategory')} data-testid="submit-risk">
                  {RISK_CATEGORIES.map((r) => (
                    <option key={r} value={r}>
                      {r}: {RISK_HELP[r]}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </fieldset>
          <ErrorBanner error={error} context="Submitting" />
          <div class="actions">
            <button type="submit" class="primary" disabled={submitting} data-testid="submit-button">
              {submitting ? 'Submitting…' : 'Submit job'}
            </button>
            {submitted ? (
              <span class="banner banner-ok" data-testid="submitted">
                Submitted:{' '}
                <a href={href('job', submitted.job.resource.id)} data-testid="submitted-job-link" data-job-id={submitted.job.resource.id}>
                  {submitted.job.name} ({submitted.job.resource.id})
                </a>{' '}
                <button type="button" class="link" onClick={() => setSubmitted(undefined)}>
                  edit again
                </button>
              </span>
            ) : null}
          </div>
        </form>
        <div class="snippets">
          <p class="muted small">{submitted ? 'The request that was submitted:' : 'The request this form sends:'}</p>
          <CodeBlock title="curl" code={curlSnippet(shownBody, ctx)} testid="curl-snippet" />
          <CodeBlock title="Python (eval-hub-sdk)" code={pythonSnippet(shownBody, ctx)} testid="python-snippet" />
        </div>
      </div>
    </section>
  );
}
