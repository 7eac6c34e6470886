import { Global, Module } from '@nestjs/common';
import { JOB_RUNTIME } from '../core/runtime/job-runtime';
import { BenchmarkInformer } from './benchmark-informer';
import { K8sGateway } from './k8s-gateway';
import { KubernetesJobRuntime } from './kubernetes-job-runtime';

/** The Kubernetes API gateway and the shared benchmark informer, for the Job executor (worker), and the JobRuntime the API uses for cancel, logs and submit checks. */
@Global()
@Module({
  providers: [K8sGateway, BenchmarkInformer, { provide: JOB_RUNTIME, useClass: KubernetesJobRuntime }],
  exports: [K8sGateway, BenchmarkInformer, JOB_RUNTIME],
})
export class KubernetesModule {}
