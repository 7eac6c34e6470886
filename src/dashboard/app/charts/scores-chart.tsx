// Primary score of each benchmark beside its threshold (green pass, red fail), its 95% interval a
// thin dark bar over the score's (a floating bar in the score's stack slot, so it lines up). Scores
// on very different scales (tokens/s next to an accuracy) get a chart each, so none is a flat line.
import type { PrimaryScore } from '../lib/metrics';
import { ChartCanvas, cssColor } from './chart-canvas';

/** Above this ratio between the largest and smallest magnitudes, one shared axis hides the small ones. */
const MAX_SPREAD = 20;

function magnitude(s: PrimaryScore): number {
  return Math.max(Math.abs(s.score), Math.abs(s.threshold), ...(s.ci95 ?? []).map(Math.abs));
}

function ScoreBars({ scores, title }: { scores: PrimaryScore[]; title: string }) {
  const pass = cssColor('--pass', '#1a7f37');
  const fail = cssColor('--fail', '#cf222e');
  const withInterval = scores.some((s) => s.ci95);
  return (
    <ChartCanvas
      testid="scores-chart"
      height={Math.max(170, 70 + scores.length * 40)}
      config={{
        type: 'bar',
        data: {
          labels: scores.map((s) => `${s.label} (${s.metric})`),
          datasets: [
            // Same stack as the score with an unstacked value axis: drawn over the score bar, not beside it.
            ...(withInterval
              ? [{ label: '95% interval', data: scores.map((s) => s.ci95 ?? null), backgroundColor: cssColor('--fg', '#1f2328'), barPercentage: 0.22, stack: 'score', order: 0 }]
              : []),
            { label: 'score', data: scores.map((s) => s.score), backgroundColor: scores.map((s) => (s.pass ? pass : fail)), stack: 'score', order: 1 },
            { label: 'threshold', data: scores.map((s) => s.threshold), backgroundColor: cssColor('--muted-fill', '#8c959f'), stack: 'threshold', order: 2 },
          ],
        },
        options: { indexAxis: 'y', plugins: { title: { display: true, text: title } }, scales: { x: { beginAtZero: true, stacked: false } } },
      }}
    />
  );
}

export function ScoresChart({ scores }: { scores: PrimaryScore[] }) {
  if (!scores.length) return null;
  const mags = scores.map(magnitude).filter((m) => m > 0);
  const spread = mags.length ? Math.max(...mags) / Math.min(...mags) : 1;
  if (spread <= MAX_SPREAD) return <ScoreBars scores={scores} title="Primary score vs threshold" />;
  return (
    <>
      {scores.map((s) => (
        <ScoreBars key={s.label} scores={[s]} title={`${s.label}: primary score vs threshold`} />
      ))}
    </>
  );
}
