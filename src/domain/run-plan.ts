import { NativeBackend, nativeBackendOf } from './native-backends';
import { ProviderRecord, ResolvedBenchmark } from './types';

export type ExecutorKind = 'local-process' | NativeBackend | 'nemo_evaluator' | 'kubernetes' | 'unavailable';

/** One unit of work for a worker: benchmarks that run together in one process or Job. */
export interface RunUnit {
  key: string;
  executor: ExecutorKind;
  indexes: number[];
}

export type RuntimeMode = 'local' | 'kubernetes';

export function executorFor(provider: ProviderRecord | undefined, mode: RuntimeMode): ExecutorKind {
  if (!provider?.runtime) return 'unavailable';
  // A remote service: the same in both modes (the worker only sends HTTP).
  if (provider.runtime.nemo_evaluator) return 'nemo_evaluator';
  if (mode === 'kubernetes') return provider.runtime.k8s ? 'kubernetes' : 'unavailable';
  const local = provider.runtime.local;
  const native = nativeBackendOf(provider);
  if (native) return native;
  if (local?.command) return 'local-process';
  return 'unavailable';
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
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
    const executor = executorFor(providers.get(b.provider_id), mode);
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
