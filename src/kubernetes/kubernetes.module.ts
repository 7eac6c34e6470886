import { Global, Module } from '@nestjs/common';
import { JOB_RUNTIME } from '../core/runtime/job-runtime';
import { K8sGateway } from './k8s-gateway';
import { KubernetesJobRuntime } from './kubernetes-job-runtime';

/** The Kubernetes API gateway, for the Job executor (worker), and the JobRuntime the API uses for cancel, logs and submit checks. */
@Global()
@Module({
  providers: [K8sGateway, { provide: JOB_RUNTIME, useClass: KubernetesJobRuntime }],
  exports: [K8sGateway, JOB_RUNTIME],
})
export class KubernetesModule {}
