import { NativeBackend, nativeBackendOf } from './native-backends';
import { ProviderRecord, ResolvedBenchmark } from './types';
import { stableJson } from './stable-json';
import { runsOnKfp } from './kfp-settings';

export type ExecutorKind = 'local-process' | NativeBackend | 'nemo_evaluator' | 'kubeflow_pipelines' | 'kubernetes' | 'unavailable';

/** One unit of work for a worker: benchmarks that run together in one process or Job. */
export interface RunUnit {
  key: string;
  executor: ExecutorKind;
  indexes: number[];
}

export type RuntimeMode = 'local' | 'kubernetes';

/** The executor of a benchmark: its provider's runtime, or the benchmark's own `parameters.backend`. */
export function executorFor(provider: ProviderRecord | undefined, mode: RuntimeMode, parameters?: unknown): ExecutorKind {
  if (!provider) return 'unavailable';
  // Remote services: the same in both modes (the worker only sends HTTP).
  if (runsOnKfp(provider.runtime, parameters)) return 'kubeflow_pipelines';
  if (!provider.runtime) return 'unavailable';
  if (provider.runtime.nemo_evaluator) return 'nemo_evaluator';
  if (mode === 'kubernetes') return provider.runtime.k8s ? 'kubernetes' : 'unavailable';
  const local = provider.runtime.local;
  const native = nativeBackendOf(provider);
  if (native) return native;
  if (local?.command) return 'local-process';
  return 'unavailable';
}


/**
 * Splits a job into run units. lm-eval benchmarks of the same provider with identical parameters
 * share one lm-eval process (its start-up and task indexing cost seconds); everything else runs
 * one benchmark per unit.
 */
export function planRuns(benchmarks: ResolvedBenchmark[], providers: Map<string, ProviderRecord>, mode: RuntimeMode): RunUnit[] {
  const units: RunUnit[] = [];
  const groups = new Map<string, RunUnit>();
  benchmarks.forEach((b, index) => {
    const executor = executorFor(providers.get(b.provider_id), mode, b.parameters);
    if (executor === 'lm_evaluation_harness') {
      const settings = `${b.provider_id}|${stableJson(b.parameters ?? {})}|${stableJson(b.test_data_ref ?? null)}`;
      const existing = groups.get(settings);
      if (existing) {
        existing.indexes.push(index);
        return;
      }
      const unit: RunUnit = { key: `g${index}`, executor, indexes: [index] };
      groups.set(settings, unit);
      units.push(unit);
      return;
    }
    units.push({ key: `b${index}`, executor, indexes: [index] });
  });
  return units;
}
