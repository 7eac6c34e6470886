// A job or benchmark state as a coloured label (colour by state class in app.css).
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
