// One row per benchmark of a job: state, phase, bar, count, ETA, or queue place while pending.
import type { BenchmarkStatus } from '../api/types';
import { fmtDuration } from '../lib/format';
import { benchmarkShare, countText } from '../lib/progress';
import { ProgressBar } from './progress-bar';
import { StateBadge } from './state-badge';

export function BenchmarkProgress({ benchmarks }: { benchmarks: BenchmarkStatus[] }) {
  if (!benchmarks.length) return <p class="muted">No benchmark has reported yet.</p>;
  return (
    <table class="table progress-table" data-testid="benchmark-progress-table">
      <thead>
        <tr>
          <th>#</th>
          <th>Benchmark</th>
          <th>State</th>
          <th class="wide">Progress</th>
          <th>Done</th>
          <th>ETA</th>
        </tr>
      </thead>
      <tbody>
        {benchmarks.map((b) => {
          const share = b.status === 'pending' ? (benchmarkShare(b) ?? 0) : benchmarkShare(b);
          const count = countText(b);
          const message = b.error_message?.message ?? b.warning_message?.message;
          return (
            <tr key={b.benchmark_index} data-testid="benchmark-progress" data-index={b.benchmark_index} data-status={b.status}>
              <td>{b.benchmark_index}</td>
              <td>
                <div class="mono">{b.id}</div>
                <div class="muted small">{b.provider_id}</div>
              </td>
              <td>
                <StateBadge state={b.status} />
                {b.phase && b.status === 'running' ? <div class="muted small">{b.phase.replace(/_/g, ' ')}</div> : null}
              </td>
              <td>
                <ProgressBar value={share} label={`${b.id} progress`} testid="benchmark-bar" />
                {message ? <div class={`small ${b.error_message ? 'text-fail' : 'muted'}`}>{message}</div> : null}
              </td>
              <td data-testid="benchmark-count">{count ?? '—'}</td>
              <td data-testid="benchmark-eta">
                {b.status === 'pending' && typeof b.queue_position === 'number' ? (
                  <span data-testid="queue-position">queued, #{b.queue_position}</span>
                ) : b.status === 'running' && typeof b.eta_seconds === 'number' ? (
                  fmtDuration(b.eta_seconds)
                ) : (
                  '—'
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
