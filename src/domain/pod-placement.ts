/**
 * Where and with what a benchmark pod runs on Kubernetes: resources, GPU, node constraints and
 * Kueue queue, from the provider's runtime.k8s, the job's hardware_config (benchmark-level wins
 * over job-level), a HardwareProfile when one is named, and the deprecated job-level queue.
 */

export interface HardwareConfig {
  hardware_profile_name?: string;
  queue?: QueueRef;
  cpu?: { request?: string; limit?: string };
  memory?: { request?: string; limit?: string };
  gpu?: { name?: string; count?: number };
}

export interface QueueRef {
  kind?: string;
  name: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** What a HardwareProfile (infrastructure.opendatahub.io/v1) contributes. */
export interface ProfileSettings {
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
  gpuResource?: string;
  gpuCount?: number;
  scheduling?: 'Node' | 'Queue';
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  queueName?: string;
  priorityClassName?: string;
}

export interface PodPlacement {
  requests: Record<string, string>;
  limits: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  /** Kueue LocalQueue: becomes the kueue.x-k8s.io/queue-name label. */
  queueName?: string;
  priorityClassName?: string;
}

/** A plain object (not null, not an array), as the untyped request and profile bodies are walked. */
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A non-empty string, trimmed; undefined otherwise. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The hardware_config that applies to one benchmark: its own, else the job's. */
export function effectiveHardware(benchmarkHw: unknown, jobHw: unknown): HardwareConfig | undefined {
  if (isObj(benchmarkHw) && Object.keys(benchmarkHw).length) return benchmarkHw as HardwareConfig;
  if (isObj(jobHw) && Object.keys(jobHw).length) return jobHw as HardwareConfig;
  return undefined;
}

/** Reads a HardwareProfile object as the API server returns it. */
export function parseHardwareProfile(profile: unknown): ProfileSettings {
  const spec = isObj(profile) && isObj(profile.spec) ? profile.spec : {};
  const out: ProfileSettings = {};
  const count = (v: unknown) => (typeof v === 'number' ? String(Math.trunc(v)) : str(v));
  for (const id of Array.isArray(spec.identifiers) ? spec.identifiers : []) {
    if (!isObj(id)) continue;
    const identifier = str(id.identifier);
    const type = str(id.resourceType);
    const def = count(id.defaultCount);
    const max = count(id.maxCount);
    if (type === 'CPU' || identifier === 'cpu') {
      out.cpuRequest = def ?? out.cpuRequest;
      out.cpuLimit = max ?? out.cpuLimit;
    } else if (type === 'Memory' || identifier === 'memory') {
      out.memoryRequest = def ?? out.memoryRequest;
      out.memoryLimit = max ?? out.memoryLimit;
    } else if (identifier && identifier !== 'ephemeral-storage' && (type === 'Accelerator' || !type)) {
      out.gpuResource = identifier;
      if (def && /^\d+$/.test(def)) out.gpuCount = Number(def);
    }
  }
  const sched = isObj(spec.scheduling) ? spec.scheduling : undefined;
  if (sched?.type === 'Node') {
    out.scheduling = 'Node';
    const node = isObj(sched.node) ? sched.node : {};
    if (isObj(node.nodeSelector) && Object.keys(node.nodeSelector).length) out.nodeSelector = node.nodeSelector as Record<string, string>;
    if (Array.isArray(node.tolerations) && node.tolerations.length) out.tolerations = node.tolerations.filter(isObj) as Toleration[];
  } else if (sched?.type === 'Queue') {
    out.scheduling = 'Queue';
    const kueue = isObj(sched.kueue) ? sched.kueue : {};
    out.queueName = str(kueue.localQueueName);
    const prio = str(kueue.priorityClass);
    if (prio && prio.toLowerCase() !== 'none') out.priorityClassName = prio;
  }
  return out;
}

/**
 * Combines it all, in upstream's order: provider defaults, then the HardwareProfile, then an
 * inline hardware_config, then the deprecated job queue if nothing else named one. A queue means
 * Kueue places the pod, so node constraints are dropped.
 */
export function podPlacement(k8sRuntime: Record<string, unknown>, hw: HardwareConfig | undefined, profile: ProfileSettings | undefined, legacyQueue: unknown): PodPlacement {
  const gpu = (isObj(k8sRuntime.gpu) ? k8sRuntime.gpu : {}) as { resource?: string; count?: number; node_selector?: Record<string, string> };
  let cpuRequest = str(k8sRuntime.cpu_request) ?? '250m';
  let cpuLimit = str(k8sRuntime.cpu_limit) ?? '1';
  let memoryRequest = str(k8sRuntime.memory_request) ?? '512Mi';
  let memoryLimit = str(k8sRuntime.memory_limit) ?? '2Gi';
  let gpuResource = gpu.resource ?? 'nvidia.com/gpu';
  let gpuCount = gpu.count ?? 0;
  let nodeSelector = gpu.node_selector && Object.keys(gpu.node_selector).length ? { ...gpu.node_selector } : undefined;
  let tolerations: Toleration[] | undefined;
  let queueName: string | undefined;
  let priorityClassName: string | undefined;
  const setQueue = (name: string | undefined) => {
    if (!name || queueName) return;
    queueName = name;
    nodeSelector = undefined;
    tolerations = undefined;
  };

  if (profile) {
    cpuRequest = profile.cpuRequest ?? cpuRequest;
    cpuLimit = profile.cpuLimit ?? cpuLimit;
    memoryRequest = profile.memoryRequest ?? memoryRequest;
    memoryLimit = profile.memoryLimit ?? memoryLimit;
    gpuResource = profile.gpuResource ?? gpuResource;
    if (profile.gpuCount) gpuCount = profile.gpuCount;
    if (profile.scheduling === 'Queue') {
      setQueue(profile.queueName);
      nodeSelector = undefined;
      tolerations = undefined;
      priorityClassName = profile.priorityClassName;
    } else if (profile.scheduling === 'Node') {
      if (profile.nodeSelector) nodeSelector = { ...profile.nodeSelector };
      if (profile.tolerations) tolerations = [...profile.tolerations];
    }
  } else if (hw) {
    cpuRequest = str(hw.cpu?.request) ?? cpuRequest;
    cpuLimit = str(hw.cpu?.limit) ?? cpuLimit;
    memoryRequest = str(hw.memory?.request) ?? memoryRequest;
    memoryLimit = str(hw.memory?.limit) ?? memoryLimit;
    gpuResource = str(hw.gpu?.name) ?? gpuResource;
    if (hw.gpu?.count) gpuCount = hw.gpu.count;
    setQueue(str(hw.queue?.name));
  }
  if (isObj(legacyQueue)) setQueue(str(legacyQueue.name));

  const requests: Record<string, string> = { cpu: cpuRequest, memory: memoryRequest };
  const limits: Record<string, string> = { cpu: cpuLimit, memory: memoryLimit };
  if (gpuCount > 0) {
    requests[gpuResource] = String(gpuCount);
    limits[gpuResource] = String(gpuCount);
  }
  return { requests, limits, nodeSelector, tolerations, queueName, priorityClassName };
}
