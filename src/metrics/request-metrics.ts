import type { Registry } from 'prom-client';
import { METRIC } from './metrics.constants';
import { otelRoute } from './otel-route';

export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
// The OTel semantic conventions' advised boundaries for http.server.request.duration.
export const OTEL_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

interface Series {
  labels: { method: string; route: string; status: string };
  otelLabels: Record<string, string>;
  count: number;
  sum: number;
  /** Counts per bucket (not cumulative), one slot past the last bound for +Inf. */
  buckets: Float64Array;
  otelBuckets: Float64Array;
}

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };
/** What prom-client's registry reads from a metric when it renders /metrics. */
interface Collected {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }>;
}

function slot(bounds: number[], v: number): number {
  let i = 0;
  while (i < bounds.length && v > bounds[i]) i++;
  return i;
}

/**
 * Every HTTP answer's count and duration, in EvalHub's series and in upstream's OTel names. Kept
 * in plain counters per label set and rendered by prom-client's registry at scrape time:
 * prom-client's own per-observation label hashing and validation, for four series per request,
 * cost a third of the throughput of the cheapest routes.
 */
export class RequestMetrics {
  private readonly series = new Map<string, Series>();
  private readonly active = new Map<string, { labels: Record<string, string>; n: number }>();

  /** One answer. `route` is the route pattern (`unmatched` when none matched). */
  record(method: string, route: string, status: number, seconds: number, scheme: string): void {
    const key = `${method} ${status} ${scheme} ${route}`;
    let s = this.series.get(key);
    if (!s) {
      s = {
        labels: { method, route, status: String(status) },
        otelLabels: { http_request_method: method, http_route: otelRoute(route), http_response_status_code: String(status), url_scheme: scheme },
        count: 0,
        sum: 0,
        buckets: new Float64Array(DURATION_BUCKETS.length + 1),
        otelBuckets: new Float64Array(OTEL_DURATION_BUCKETS.length + 1),
      };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += seconds;
    s.buckets[slot(DURATION_BUCKETS, seconds)]++;
    s.otelBuckets[slot(OTEL_DURATION_BUCKETS, seconds)]++;
  }

  /** Requests in progress (OTel http.server.active_requests), +1 or -1. */
  activeChange(method: string, scheme: string, delta: number): void {
    const key = `${method} ${scheme}`;
    let a = this.active.get(key);
    if (!a) this.active.set(key, (a = { labels: { http_request_method: method, url_scheme: scheme }, n: 0 }));
    a.n += delta;
  }

  /** Registers the five series in a prom-client registry (the one /metrics renders). */
  register(registry: Registry): void {
    const all = () => [...this.series.values()];
    const add = (m: Collected) => {
      // A second app in one process (tests) takes the series over.
      if (registry.getSingleMetric(m.name)) registry.removeSingleMetric(m.name);
      registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
    };
    add(collected(METRIC.httpRequests, 'HTTP requests by route and status', 'counter', () => all().map((s) => ({ labels: s.labels, value: s.count }))));
    add(collected(METRIC.httpDuration, 'HTTP request latency', 'histogram', () => all().flatMap((s) => histogram(METRIC.httpDuration, s.labels, DURATION_BUCKETS, s.buckets, s.sum, s.count))));
    add(
      collected(METRIC.otelRequestDuration, 'Duration of HTTP server requests (OTel http.server.request.duration)', 'histogram', () =>
        all().flatMap((s) => histogram(METRIC.otelRequestDuration, s.otelLabels, OTEL_DURATION_BUCKETS, s.otelBuckets, s.sum, s.count)),
      ),
    );
    add(collected(METRIC.otelRequestCount, 'Number of HTTP server requests completed (OTel http.server.request.count)', 'counter', () => all().map((s) => ({ labels: s.otelLabels, value: s.count }))));
    add(collected(METRIC.otelActiveRequests, 'Number of active HTTP server requests (OTel http.server.active_requests)', 'gauge', () => [...this.active.values()].map((a) => ({ labels: a.labels, value: a.n }))));
  }
}

function collected(name: string, help: string, type: Collected['type'], values: () => Sample[]): Collected {
  return { name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: values() }) };
}

/** Prometheus histogram samples: cumulative buckets with `le`, then sum and count. */
function histogram(name: string, labels: Record<string, string>, bounds: number[], counts: Float64Array, sum: number, count: number): Sample[] {
  const out: Sample[] = [];
  let acc = 0;
  bounds.forEach((le, i) => {
    acc += counts[i];
    out.push({ metricName: `${name}_bucket`, labels: { le, ...labels }, value: acc });
  });
  out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
  out.push({ metricName: `${name}_sum`, labels, value: sum });
  out.push({ metricName: `${name}_count`, labels, value: count });
  return out;
}
