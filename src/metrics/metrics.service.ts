import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { JobRecord } from '../domain/types';
import { QueueName } from '../queue/queue.constants';
import { METRIC } from './metrics.constants';
import { RequestMetrics } from './request-metrics';

/** One place that records metrics, so callers say what happened, not how it is counted. */
@Injectable()
export class MetricsService {
  private readonly requests = new RequestMetrics();

  constructor(
    @InjectMetric(METRIC.jobsSubmitted) private readonly jobsSubmitted: Counter<string>,
    @InjectMetric(METRIC.jobsFinished) private readonly jobsFinished: Counter<string>,
    @InjectMetric(METRIC.runDuration) private readonly runDuration: Histogram<string>,
    @InjectMetric(METRIC.callbackEvents) private readonly callbackEvents: Counter<string>,
    @InjectMetric(METRIC.mlflowFailures) private readonly mlflowFailures: Counter<string>,
    @InjectMetric(METRIC.modelRequests) private readonly modelRequests: Counter<string>,
    @InjectMetric(METRIC.modelTokens) private readonly modelTokens: Counter<string>,
    @InjectMetric(METRIC.modelRetries) private readonly modelRetries: Counter<string>,
    @InjectMetric(METRIC.runningProcesses) readonly runningProcesses: Gauge<string>,
    @InjectMetric(METRIC.queueJobs) queueJobs: Gauge<string>,
    @InjectMetric(METRIC.queueWorkers) queueWorkers: Gauge<string>,
    @InjectQueue(QueueName.BenchmarkRuns) runs: Queue,
    @InjectQueue(QueueName.JobFinalize) finalize: Queue,
    @InjectQueue(QueueName.Tracking) tracking: Queue,
  ) {
    this.requests.register(register);
    // Queue depth is read from Redis when Prometheus scrapes, not kept in memory.
    const queues = [runs, finalize, tracking];
    (queueJobs as unknown as { collect?: () => Promise<void> }).collect = async () => {
      queueJobs.reset();
      for (const q of queues) {
        // Redis down: this scrape has no queue gauges (absent, not zero); the next one fills them.
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'waiting-children', 'prioritized').catch(() => undefined);
        for (const [state, n] of Object.entries(counts ?? {})) queueJobs.set({ queue: q.name, state }, n);
      }
    };
    (queueWorkers as unknown as { collect?: () => Promise<void> }).collect = async () => {
      for (const q of queues) {
        const n = await q.getWorkersCount().catch(() => undefined); // as above
        if (n !== undefined) queueWorkers.set({ queue: q.name }, n);
      }
    };
  }

  httpRequestStarted(method: string, scheme: string): void {
    this.requests.activeChange(method, scheme, 1);
  }

  httpRequestEnded(method: string, scheme: string): void {
    this.requests.activeChange(method, scheme, -1);
  }

  httpRequest(method: string, route: string, status: number, seconds: number, scheme = 'http'): void {
    this.requests.record(method, route, status, seconds, scheme);
    if (route.endsWith('/events') && method === 'POST') this.callbackEvents.inc({ result: status < 300 ? 'accepted' : 'rejected' });
  }

  jobSubmitted(job: JobRecord): void {
    for (const provider of new Set(job.benchmarks.map((b) => b.provider_id))) this.jobsSubmitted.inc({ provider: label(provider) });
  }

  jobFinished(job: JobRecord): void {
    for (const provider of new Set(job.benchmarks.map((b) => b.provider_id))) this.jobsFinished.inc({ provider: label(provider), state: job.status.state });
  }

  runFinished(provider: string, executor: string, outcome: string, seconds: number): void {
    this.runDuration.observe({ provider: label(provider), executor, outcome }, seconds);
  }

  /** A run's model calls, as the gateway counted them (once per run, at its end). */
  modelUsage(provider: string, u: { requests: number; errors: number; cached: number; retries: number; prompt_tokens: number; completion_tokens: number }): void {
    const p = label(provider);
    this.modelRequests.inc({ provider: p, outcome: 'ok' }, Math.max(0, u.requests - u.errors));
    this.modelRequests.inc({ provider: p, outcome: 'error' }, u.errors);
    this.modelRequests.inc({ provider: p, outcome: 'cached' }, u.cached);
    this.modelTokens.inc({ provider: p, kind: 'prompt' }, u.prompt_tokens);
    this.modelTokens.inc({ provider: p, kind: 'completion' }, u.completion_tokens);
    this.modelRetries.inc({ provider: p }, u.retries);
  }

  mlflowWriteFailed(): void {
    this.mlflowFailures.inc();
  }
}

/** Tenant providers have UUID ids: keep the label set bounded. */
function label(providerId: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(providerId) ? 'tenant' : providerId;
}

