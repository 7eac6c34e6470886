import { DynamicModule, Global, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance } from 'fastify';
import { isTerminalJobState } from '../domain/job-state';
import { EvaluationsModule } from '../evaluations/evaluations.module';
import { JobEventsBus } from '../evaluations/job-events.bus';
import { METRIC } from './metrics.constants';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const RUN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/** Records every HTTP answer (route pattern, not raw URL, so ids do not explode the labels). */
@Injectable()
class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions?.url ?? 'unmatched';
      if (route === '/metrics') return;
      this.metrics.httpRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  }
}

/** Counts jobs submitted and jobs reaching a terminal state, in whichever process did it. */
@Injectable()
class JobOutcomeMetrics implements OnModuleInit {
  constructor(
    @Inject(JobEventsBus) private readonly bus: JobEventsBus,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.bus.onSubmitted((job) => this.metrics.jobSubmitted(job));
    this.bus.on(({ before, after }) => {
      if (isTerminalJobState(after.status.state) && !isTerminalJobState(before.status.state)) this.metrics.jobFinished(after);
    });
  }
}

/** Prometheus /metrics with Node process metrics and EvalHub's own; service label api|worker. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(service: 'api' | 'worker'): DynamicModule {
    return {
      module: MetricsModule,
      imports: [PrometheusModule.register({ path: '/metrics', controller: MetricsController, defaultLabels: { service }, defaultMetrics: { enabled: true } }), EvaluationsModule],
      providers: [
        makeCounterProvider({ name: METRIC.httpRequests, help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] }),
        makeHistogramProvider({ name: METRIC.httpDuration, help: 'HTTP request latency', labelNames: ['method', 'route', 'status'], buckets: DURATION_BUCKETS }),
        makeCounterProvider({ name: METRIC.jobsSubmitted, help: 'Evaluation jobs submitted, per provider', labelNames: ['provider'] }),
        makeCounterProvider({ name: METRIC.jobsFinished, help: 'Evaluation jobs that reached a terminal state', labelNames: ['provider', 'state'] }),
        makeHistogramProvider({ name: METRIC.runDuration, help: 'Wall time of one run unit', labelNames: ['provider', 'executor', 'outcome'], buckets: RUN_BUCKETS }),
        makeGaugeProvider({ name: METRIC.queueJobs, help: 'Queue jobs by state (read from Redis at scrape)', labelNames: ['queue', 'state'] }),
        makeGaugeProvider({ name: METRIC.queueWorkers, help: 'Workers connected to each queue', labelNames: ['queue'] }),
        makeGaugeProvider({ name: METRIC.runningProcesses, help: 'Benchmark runs (processes or Jobs) active in this worker' }),
        makeCounterProvider({ name: METRIC.callbackEvents, help: 'Adapter callback events (/events) accepted or rejected', labelNames: ['result'] }),
        makeCounterProvider({ name: METRIC.mlflowFailures, help: 'Failed MLflow write attempts (retried)' }),
        MetricsService,
        HttpMetricsHook,
        JobOutcomeMetrics,
      ],
      exports: [MetricsService],
    };
  }
}
