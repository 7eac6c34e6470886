// Metrics of every benchmark result: value, 95% interval and stderr where the backend or the
// per-sample scores give them, and for the primary score its threshold, pass and verdict.
import type { BenchmarkResult } from '../api/types';
import { fmtInterval, fmtNumber } from '../lib/format';
import { metricRows, type MetricRow } from '../lib/metrics';
import { PassBadge, VerdictBadge } from './state-badge';

/** Long metric lists (GuideLLM has ~25 per strategy) start folded after this many rows. */
const FOLD_AFTER = 12;

function intervalTitle(m: MetricRow): string {
  const from = m.method === 'bootstrap' ? 'bootstrap over the per-sample scores' : "from the backend's standard error";
  return `95% interval, ${from}${m.n !== undefined ? `, n = ${m.n}` : ''}`;
}

export function ResultsTable({ results }: { results: BenchmarkResult[] }) {
  if (!results.length) return <p class="muted">No results yet.</p>;
  return (
    <div class="results">
      {results.map((r) => {
        const rows = metricRows(r);
        const shown = rows.slice(0, FOLD_AFTER);
        const rest = rows.slice(FOLD_AFTER);
        const renderRow = (m: MetricRow) => (
          <tr key={m.name} class={m.primary ? 'primary' : ''} data-testid="metric-row" data-metric={m.name}>
            <td class="mono">{m.name}</td>
            <td class="num" data-testid="metric-value">{fmtNumber(m.value)}</td>
            <td class="num" data-testid="metric-ci" title={m.ci95 ? intervalTitle(m) : undefined} data-low={m.ci95?.[0]} data-high={m.ci95?.[1]}>
              {m.ci95 ? fmtInterval(m.ci95) : ''}
              {m.ci95 && m.n !== undefined ? <span class="muted small"> n={fmtNumber(m.n)}</span> : null}
            </td>
            <td class="num">{m.stderr !== undefined ? `± ${fmtNumber(m.stderr, 3)}` : ''}</td>
            <td class="num">{m.threshold !== undefined ? fmtNumber(m.threshold) : ''}</td>
            <td>
              {m.primary ? (
                <>
                  <PassBadge pass={m.pass} /> <VerdictBadge verdict={m.verdict} />
                </>
              ) : (
                ''
              )}
            </td>
          </tr>
        );
        return (
          <section key={r.benchmark_index} class="result-block" data-testid="result" data-index={r.benchmark_index}>
            <h4>
              <span class="mono">{r.id}</span> <span class="muted small">#{r.benchmark_index} · {r.provider_id}</span>{' '}
              {r.test ? (
                <>
                  <PassBadge pass={r.test.pass} /> <VerdictBadge verdict={r.test.verdict} />
                </>
              ) : null}
            </h4>
            {r.warning_message ? <p class="small muted">{r.warning_message.message}</p> : null}
            <table class="table results-table" data-testid="results-table">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th class="num">Value</th>
                  <th class="num">95% interval</th>
                  <th class="num">Stderr</th>
                  <th class="num">Threshold</th>
                  <th>Pass</th>
                </tr>
              </thead>
              <tbody>{shown.map(renderRow)}</tbody>
            </table>
            {rest.length ? (
              <details>
                <summary>{rest.length} more metrics</summary>
                <table class="table results-table">
                  <tbody>{rest.map(renderRow)}</tbody>
                </table>
              </details>
            ) : null}
          </section>
        );
      })}
    </div>
  );
}
