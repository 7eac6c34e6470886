// A horizontal bar for a share done, with the percent beside it; an unknown share shows an
// indeterminate stripe.
import { fmtPercent } from '../lib/format';

export function ProgressBar({ value, label, testid }: { value: number | undefined; label?: string; testid?: string }) {
  const known = value !== undefined;
  return (
    <div class="progress-wrap">
      <div
        class={`progress ${known ? '' : 'indeterminate'}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={known ? Math.round(value * 1000) / 10 : undefined}
        aria-label={label}
        data-testid={testid}
        data-progress={known ? String(value) : ''}
      >
        <div class="progress-fill" style={{ width: known ? `${Math.max(0, Math.min(1, value)) * 100}%` : '100%' }} />
      </div>
      <span class="progress-text">{known ? fmtPercent(value) : '…'}</span>
    </div>
  );
}
