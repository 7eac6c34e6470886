// One Chart.js chart on a canvas. Only the bar chart pieces are registered (smaller bundle);
// animation is off so a chart is complete as soon as it is on screen (and in screenshots).
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Title, Tooltip, type ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title, Tooltip);
Chart.defaults.animation = false;
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font').trim() || 'system-ui, sans-serif';
Chart.defaults.font.size = 12;

/** Marks the canvas once Chart.js painted it, so tests and users' scripts can wait for it. */
const drawnMarker = {
  id: 'drawnMarker',
  afterRender(chart: Chart) {
    chart.canvas.dataset.drawn = 'true';
  },
};

export function ChartCanvas({ config, testid, height = 260 }: { config: ChartConfiguration<'bar'>; testid: string; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | undefined>(undefined);
  const key = JSON.stringify(config.data) + JSON.stringify(config.options ?? {});
  useEffect(() => {
    if (!canvas.current) return;
    chart.current?.destroy();
    chart.current = new Chart(canvas.current, { ...config, plugins: [...(config.plugins ?? []), drawnMarker], options: { maintainAspectRatio: false, responsive: true, ...config.options } });
    return () => {
      chart.current?.destroy();
      chart.current = undefined;
    };
    // Rebuilt when the data or options change (compared as JSON: the data is small).
  }, [key]);
  return (
    <div class="chart" style={{ height: `${height}px` }}>
      <canvas ref={canvas} data-testid={testid} role="img" aria-label={config.options?.plugins?.title?.text?.toString() ?? testid} />
    </div>
  );
}

/** Colours from the stylesheet, so charts follow the page's palette. */
export function cssColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}
