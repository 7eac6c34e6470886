import { DynamicModule, Global, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fastPathOf } from '../core/http/fast-path';
import { isTerminalJobState } from '../domain/job-state';
import { EvaluationsModule } from '../evaluations/evaluations.module';
import { JobEventsBus } from '../evaluations/job-events.bus';
import { METRIC } from './metrics.constants';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

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
    const active = Symbol('evalhub.active-request');
    type Tracked = { [active]?: boolean };
    const scheme = (req: { protocol?: string }) => (req.protocol === 'https' ? 'https' : 'http');
    const done = (req: FastifyRequest & Tracked) => {
      if (!req[active]) return;
      req[active] = false;
      this.metrics.httpRequestEnded(req.method, scheme(req));
    };
    // Callback-style hooks: an async hook costs a promise and a microtask per request.
    fastify.addHook('onRequest', (req, _reply, next) => {
      if (req.routeOptions?.url !== '/metrics') {
        (req as Tracked)[active] = true;
        this.metrics.httpRequestStarted(req.method, scheme(req));
      }
      next();
    });
    fastify.addHook('onRequestAbort', (req, next) => {
      done(req);
      next();
    });
    fastPathOf(fastify)?.observe((method, route, status, seconds) => this.metrics.httpRequest(method, route, status, seconds, 'http'));
    fastify.addHook('onResponse', (req, reply, next) => {
      done(req);
      const route = req.routeOptions?.url ?? 'unmatched';
      if (route !== '/metrics') this.metrics.httpRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000, scheme(req));
      next();
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
        makeCounterProvider({ name: METRIC.jobsSubmitted, help: 'Evaluation jobs submitted, per provider', labelNames: ['provider'] }),
        makeCounterProvider({ name: METRIC.jobsFinished, help: 'Evaluation jobs that reached a terminal state', labelNames: ['provider', 'state'] }),
        makeHistogramProvider({ name: METRIC.runDuration, help: 'Wall time of one run unit', labelNames: ['provider', 'executor', 'outcome'], buckets: RUN_BUCKETS }),
        makeGaugeProvider({ name: METRIC.queueJobs, help: 'Queue jobs by state (read from Redis at scrape)', labelNames: ['queue', 'state'] }),
        makeGaugeProvider({ name: METRIC.queueWorkers, help: 'Workers connected to each queue', labelNames: ['queue'] }),
        makeGaugeProvider({ name: METRIC.runningProcesses, help: 'Benchmark runs (processes or Jobs) active in this worker' }),
        makeCounterProvider({ name: METRIC.callbackEvents, help: 'Adapter callback events (/events) accepted or rejected', labelNames: ['result'] }),
        makeCounterProvider({ name: METRIC.mlflowFailures, help: 'Failed MLflow write attempts (retried)' }),
        makeCounterProvider({ name: METRIC.modelRequests, help: 'Model calls through the gateway, by provider and outcome (ok, error, cached)', labelNames: ['provider', 'outcome'] }),
        makeCounterProvider({ name: METRIC.modelTokens, help: 'Tokens of model calls through the gateway, by provider and kind (prompt, completion)', labelNames: ['provider', 'kind'] }),
        makeCounterProvider({ name: METRIC.modelRetries, help: 'Extra attempts the gateway made for transient model failures', labelNames: ['provider'] }),
        MetricsService,
        HttpMetricsHook,
        JobOutcomeMetrics,
      ],
      exports: [MetricsService],
    };
  }
}
