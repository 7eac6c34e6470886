// GuideLLM: time to first token and inter-token latency percentiles, and throughput, per strategy.
import type { StrategyPerf } from '../lib/metrics';
import { ChartCanvas } from './chart-canvas';

const SHADES = ['#54aeff', '#0969da', '#0a3069'];

function percentileChart(strategies: StrategyPerf[], which: 'ttft' | 'itl', title: string, testid: string) {
  if (!strategies.some((s) => Object.keys(s[which]).length)) return null;
  return (
    <ChartCanvas
      testid={testid}
      config={{
        type: 'bar',
        data: {
          labels: strategies.map((s) => s.label),
          datasets: (['p50', 'p90', 'p99'] as const).map((p, i) => ({ label: p, data: strategies.map((s) => s[which][p] ?? null) as number[], backgroundColor: SHADES[i] })),
        },
        options: { plugins: { title: { display: true, text: title } }, scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } },
      }}
    />
  );
}

export function LatencyCharts({ strategies, name }: { strategies: StrategyPerf[]; name: string }) {
  if (!strategies.length) return null;
  const rates = strategies.some((s) => s.outputTokensPerSecond !== undefined || s.requestsPerSecond !== undefined);
  return (
    <div class="chart-grid" data-testid="guidellm-charts">
      {percentileChart(strategies, 'ttft', `${name}: time to first token`, 'ttft-chart')}
      {percentileChart(strategies, 'itl', `${name}: inter-token latency`, 'itl-chart')}
      {rates ? (
        <ChartCanvas
          testid="throughput-chart"
          config={{
            type: 'bar',
            data: {
              labels: strategies.map((s) => s.label),
              datasets: [
                { label: 'output tokens/s', data: strategies.map((s) => s.outputTokensPerSecond ?? null) as number[], backgroundColor: '#8250df', yAxisID: 'y' },
                { label: 'requests/s', data: strategies.map((s) => s.requestsPerSecond ?? null) as number[], backgroundColor: '#bf8700', yAxisID: 'y1' },
              ],
            },
            options: {
              plugins: { title: { display: true, text: `${name}: throughput` } },
              scales: { y: { beginAtZero: true, position: 'left', title: { display: true, text: 'tokens/s' } }, y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'requests/s' } } },
            },
          }}
        />
      ) : null}
    </div>
  );
}
