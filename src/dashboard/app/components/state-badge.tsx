// A job or benchmark state as a coloured label (colour by state class in app.css), and the
// pass/fail, interval verdict and comparison outcome badges of results.
import type { Outcome, Verdict } from '../api/types';

export function StateBadge({ state }: { state: string }) {
  return (
    <span class={`badge state-${state}`} data-testid="state" data-state={state}>
      {state.replace('_', ' ')}
    </span>
  );
}

export function PassBadge({ pass }: { pass: boolean | undefined }) {
  if (pass === undefined) return <span class="muted">—</span>;
  return <span class={`badge ${pass ? 'pass' : 'fail'}`}>{pass ? 'pass' : 'fail'}</span>;
}

const VERDICT_TITLE: Record<Verdict, string> = {
  pass: 'The whole 95% interval clears the threshold',
  fail: 'The whole 95% interval is on the wrong side of the threshold',
  inconclusive: 'The 95% interval straddles the threshold: more samples would be needed to tell',
};

/** The test's verdict from the score's 95% interval; shown beside the plain pass/fail. */
export function VerdictBadge({ verdict }: { verdict: Verdict | null | undefined }) {
  if (!verdict) return null;
  return (
    <span class={`badge verdict-${verdict}`} data-testid="verdict" data-verdict={verdict} title={VERDICT_TITLE[verdict]}>
      {verdict === 'inconclusive' ? 'inconclusive' : `${verdict} at 95%`}
    </span>
  );
}

export const OUTCOME_LABEL: Record<Outcome, string> = {
  improved: 'improved',
  regressed: 'regressed',
  no_significant_change: 'no significant change',
  not_tested: 'not tested',
};

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return (
    <span class={`badge outcome-${outcome}`} data-testid="compare-outcome" data-outcome={outcome}>
      {OUTCOME_LABEL[outcome]}
    </span>
  );
}
