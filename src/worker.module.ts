import { Module } from '@nestjs/common';
import { CoreModule } from './core/core.module';
import { HealthModule } from './health/health.module';
import { KubernetesModule } from './kubernetes/kubernetes.module';
import { MetricsModule } from './metrics/metrics.module';
import { MlflowModule } from './mlflow/mlflow.module';
import { QueueModule } from './queue/queue.module';
import { WorkerProcessorsModule } from './worker/worker-processors.module';

/** The worker process: queue processors and executors; HTTP only for probes and metrics. */
@Module({
  imports: [CoreModule, QueueModule, KubernetesModule, MlflowModule, WorkerProcessorsModule, HealthModule, MetricsModule.forRoot('worker')],
})
export class WorkerModule {}
