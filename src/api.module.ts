import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { CollectionsHttpModule } from './collections/collections-http.module';
import { CoreModule } from './core/core.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { EvaluationsHttpModule } from './evaluations/evaluations-http.module';
import { HealthModule } from './health/health.module';
import { KubernetesModule } from './kubernetes/kubernetes.module';
import { MetricsModule } from './metrics/metrics.module';
import { MlflowTrackingModule } from './mlflow/mlflow-tracking.module';
import { MlflowModule } from './mlflow/mlflow.module';
import { GatesModule } from './gates/gates.module';
import { ProvidersHttpModule } from './providers/providers-http.module';
import { QueueModule } from './queue/queue.module';

/** The API process: HTTP routes and queue producers, no processors. */
@Module({
  imports: [CoreModule, QueueModule, KubernetesModule, AuthModule, MlflowModule, ProvidersHttpModule, CollectionsHttpModule, EvaluationsHttpModule, MlflowTrackingModule, HealthModule, MetricsModule.forRoot('api'), DashboardModule, GatesModule],
})
export class ApiModule {}
