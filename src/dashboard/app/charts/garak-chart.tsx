// garak: attack success rate per probe (lower is better).
import type { ProbeRate } from '../lib/metrics';
import { ChartCanvas } from './chart-canvas';

export function GarakChart({ probes, name }: { probes: ProbeRate[]; name: string }) {
  if (!probes.length) return null;
  return (
    <ChartCanvas
      testid="garak-chart"
      height={Math.max(180, 60 + probes.length * 28)}
      config={{
        type: 'bar',
        data: { labels: probes.map((p) => p.probe), datasets: [{ label: 'attack success rate', data: probes.map((p) => p.rate), backgroundColor: probes.map((p) => (p.rate > 0 ? '#cf222e' : '#1a7f37')) }] },
        options: { indexAxis: 'y', plugins: { title: { display: true, text: `${name}: attack success per probe` } }, scales: { x: { min: 0, max: 1 } } },
      }}
    />
  );
}
