// Holds a finished job against one of the tenant's release gates: GO / NO-GO / INCONCLUSIVE and
// each rule's reason, as `evalhub gate` prints them.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { GateEvaluation } from '../api/types';
import { useLoad } from '../lib/use-load';
import { ErrorBanner } from './error-banner';

const DECISION_CLASS: Record<string, string> = { GO: 'pass', 'NO-GO': 'fail', INCONCLUSIVE: 'verdict-inconclusive' };

export function GatePanel({ jobId }: { jobId: string }) {
  const gates = useLoad((signal) => api.listGates(signal), []);
  const [chosen, setChosen] = useState('');
  const [result, setResult] = useState<GateEvaluation | undefined>();
  const [error, setError] = useState<unknown>();
  const items = gates.data?.items ?? [];
  if (!gates.loading && items.length === 0) return null;
  const evaluate = () => {
    setError(undefined);
    api.evaluateGate(jobId, chosen || items[0].resource.id).then(setResult, setError);
  };
  return (
    <div class="gate-panel" data-testid="gate-panel">
      <h3>Release gate</h3>
      <label>
        Gate{' '}
        <select data-testid="gate-select" value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
          {items.map((g) => (
            <option key={g.resource.id} value={g.resource.id}>
              {g.name}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="button" data-testid="gate-evaluate" onClick={evaluate} disabled={items.length === 0}>
        Hold this job against it
      </button>
      <ErrorBanner error={error} />
      {result ? (
        <div data-testid="gate-result" data-decision={result.decision}>
          <p>
            <span class={`badge ${DECISION_CLASS[result.decision] ?? ''}`}>{result.decision}</span> gate “{result.gate.name}”
          </p>
          <ul>
            {result.rules.map((r, i) => (
              <li key={i}>
                <strong>{r.decision}</strong> {r.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
