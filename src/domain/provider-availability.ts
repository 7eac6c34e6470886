import { environmentOf, nativeBackendOf } from './native-backends';
import { RuntimeMode } from './run-plan';
import { ProviderRecord } from './types';

/** Whether this deployment can run a provider's benchmarks, and if not, what would fix it. */
export interface ProviderAvailability {
  runnable: boolean;
  runtime: RuntimeMode;
  /** How its benchmarks run here: a native executor, the provider's adapter command, or a Kubernetes Job. */
  executor?: string;
  reason?: string;
}

export type EnvironmentLookup = (env: string) => { ready: boolean; reason?: string };

export function providerAvailability(provider: ProviderRecord, mode: RuntimeMode, environment: EnvironmentLookup): ProviderAvailability {
  const runtime = provider.runtime;
  // A remote evaluator container: reachable from any worker, in either mode (checked per run).
  if (runtime?.nemo_evaluator) return { runnable: true, runtime: mode, executor: 'nemo_evaluator' };
  if (runtime?.kubeflow_pipelines) return { runnable: true, runtime: mode, executor: 'kubeflow_pipelines' };
  if (mode === 'kubernetes') {
    return runtime?.k8s
      ? { runnable: true, runtime: mode, executor: 'kubernetes' }
      : { runnable: false, runtime: mode, reason: `provider '${provider.resource.id}' has no Kubernetes runtime (runtime.k8s): add an image, or run EvalHub with the local runtime` };
  }
  const native = nativeBackendOf(provider);
  if (native) {
    const env = environment(environmentOf(native));
    return env.ready ? { runnable: true, runtime: mode, executor: native } : { runnable: false, runtime: mode, executor: native, reason: env.reason };
  }
  if (runtime?.local?.executor) {
    return { runnable: false, runtime: mode, reason: `provider '${provider.resource.id}' names an unknown executor '${runtime.local.executor}'` };
  }
  if (runtime?.local?.command) return { runnable: true, runtime: mode, executor: 'local-process' };
  return {
    runnable: false,
    runtime: mode,
    reason: runtime?.k8s
      ? `provider '${provider.resource.id}' runs only as a Kubernetes Job here (set EVALHUB_RUNTIME=kubernetes), it has no local runtime`
      : `provider '${provider.resource.id}' has no runtime: give it runtime.local.executor, runtime.k8s, runtime.nemo_evaluator or runtime.kubeflow_pipelines`,
  };
}
