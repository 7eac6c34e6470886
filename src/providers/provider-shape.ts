import { ProviderBenchmark, ProviderRecord, Resource } from '../domain/types';

const K8S_KEYS: Record<string, string> = {
  image: 'image',
  entrypoint: 'entrypoint',
  cpurequest: 'cpu_request',
  memoryrequest: 'memory_request',
  cpulimit: 'cpu_limit',
  memorylimit: 'memory_limit',
  env: 'env',
  gpu: 'gpu',
  imagepullpolicy: 'image_pull_policy',
};

/**
 * runtime.k8s in snake_case. The upstream Go server emits Go field names (Image, CPURequest,
 * Env[{Name,Value}]); we accept both spellings and always answer in snake_case.
 */
export function normalizeK8sRuntime(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = K8S_KEYS[k.replace(/_/g, '').toLowerCase()] ?? k;
    if (key === 'env' && Array.isArray(v)) {
      out.env = v.map((e: Record<string, unknown>) => ({ name: e.name ?? e.Name, value: e.value ?? e.Value ?? '' }));
    } else {
      out[key] = v;
    }
  }
  return out;
}

/** A provider document with every always-present field filled (name, title, benchmarks, ...). */
export function normalizeProvider(raw: Record<string, unknown>): ProviderRecord {
  const runtime = raw.runtime as ProviderRecord['runtime'] | undefined;
  const out: ProviderRecord = {
    resource: raw.resource as Resource,
    name: String(raw.name),
    title: (raw.title as string) ?? '',
    benchmarks: ((raw.benchmarks as Record<string, unknown>[]) ?? []).map(
      (b): ProviderBenchmark => ({
        ...(b as unknown as ProviderBenchmark),
        category: (b.category as string) ?? '',
        num_few_shot: (b.num_few_shot as number) ?? 0,
        dataset_size: (b.dataset_size as number) ?? 0,
      }),
    ),
  };
  if (raw.description !== undefined) out.description = raw.description as string;
  if (raw.tags !== undefined) out.tags = raw.tags as string[];
  if (runtime) {
    out.runtime = { ...runtime };
    if (runtime.k8s) out.runtime.k8s = normalizeK8sRuntime(runtime.k8s);
  }
  if (raw.agent !== undefined) out.agent = raw.agent as Record<string, unknown>;
  return out;
}
