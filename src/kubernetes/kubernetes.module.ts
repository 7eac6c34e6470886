import { Global, Module } from '@nestjs/common';
import { K8sGateway } from './k8s-gateway';

/** The Kubernetes API gateway, for the Job executor (worker) and for cancel and logs (API). */
@Global()
@Module({
  providers: [K8sGateway],
  exports: [K8sGateway],
})
export class KubernetesModule {}
