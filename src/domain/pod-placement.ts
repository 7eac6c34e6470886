/**
 * Where and with what a benchmark pod runs on Kubernetes: resources, GPU, node constraints and
 * Kueue queue, from the provider's runtime.k8s, the job's hardware_config (benchmark-level wins
 * over job-level), a HardwareProfile when one is named, and the deprecated job-level queue.
 * Also the submit-time checks of hardware_config and test_data_ref (evalhub-api-v1 §2.4).
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

/** A Kubernetes resource quantity such as 500m, 2, 1.5, 4Gi or 1e3. */
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;
/** RFC 1123 label (PVC names, queue names). */
const RFC1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The hardware_config that applies to one benchmark: its own, else the job's. */
export function effectiveHardware(benchmarkHw: unknown, jobHw: unknown): HardwareConfig | undefined {
  if (isObj(benchmarkHw) && Object.keys(benchmarkHw).length) return benchmarkHw as HardwareConfig;
  if (isObj(jobHw) && Object.keys(jobHw).length) return jobHw as HardwareConfig;
  return undefined;
}

/** Problems with a hardware_config, as messages naming the field; empty when it is fine. */
export function hardwareConfigErrors(hw: unknown, where: string): string[] {
  if (hw === undefined || hw === null) return [];
  if (!isObj(hw)) return [`${where} must be an object`];
  const errors: string[] = [];
  const profile = hw.hardware_profile_name;
  if (profile !== undefined && !str(profile)) errors.push(`${where}.hardware_profile_name must be a non-empty string`);
  if (str(profile) && ['queue', 'cpu', 'memory', 'gpu'].some((k) => hw[k] !== undefined)) {
    errors.push(`${where} takes either hardware_profile_name or queue/cpu/memory/gpu, not both`);
  }
  for (const k of ['cpu', 'memory'] as const) {
    const r = hw[k];
    if (r === undefined) continue;
    if (!isObj(r)) {
      errors.push(`${where}.${k} must be an object with request and/or limit`);
      continue;
    }
    for (const f of ['request', 'limit']) {
      if (r[f] !== undefined && !(typeof r[f] === 'string' && QUANTITY.test(r[f] as string))) errors.push(`${where}.${k}.${f} must be a Kubernetes quantity such as 500m or 4Gi`);
    }
  }
  if (hw.gpu !== undefined) {
    const g = hw.gpu;
    if (!isObj(g)) errors.push(`${where}.gpu must be an object with name and/or count`);
    else {
      if (g.count !== undefined && !(Number.isInteger(g.count) && (g.count as number) >= 1)) errors.push(`${where}.gpu.count must be a whole number of at least 1`);
      if (g.name !== undefined && !/^([a-z0-9.-]+\/)?[a-zA-Z0-9._-]+$/.test(String(g.name))) errors.push(`${where}.gpu.name must be an extended resource name such as nvidia.com/gpu`);
    }
  }
  if (hw.queue !== undefined) errors.push(...queueErrors(hw.queue, `${where}.queue`));
  return errors;
}

export function queueErrors(q: unknown, where: string): string[] {
  if (q === undefined || q === null) return [];
  if (!isObj(q)) return [`${where} must be an object with a name`];
  const errors: string[] = [];
  if (!(typeof q.name === 'string' && RFC1123.test(q.name) && q.name.length <= 253)) errors.push(`${where}.name must be a Kubernetes name (lower-case letters, digits, '-' and '.')`);
  if (q.kind !== undefined && q.kind !== '' && q.kind !== 'kueue') errors.push(`${where}.kind must be 'kueue'`);
  return errors;
}

/** Problems with a test_data_ref: exactly one of s3, pvc or git, each well formed. */
export function testDataRefErrors(ref: unknown, where: string): string[] {
  if (ref === undefined || ref === null) return [];
  if (!isObj(ref)) return [`${where} must be an object`];
  const sources = (['s3', 'pvc', 'git'] as const).filter((k) => ref[k] !== undefined && ref[k] !== null);
  if (sources.length !== 1) return [`${where} needs exactly one of s3, pvc or git`];
  const errors: string[] = [];
  if (ref.type !== undefined && ref.type !== 'data_set' && ref.type !== 'pre_recorded_data') errors.push(`${where}.type must be data_set or pre_recorded_data`);
  const src = ref[sources[0]];
  if (!isObj(src)) return [...errors, `${where}.${sources[0]} must be an object`];
  if (sources[0] === 's3') {
    for (const f of ['bucket', 'key']) if (!str(src[f])) errors.push(`${where}.s3.${f} is required`);
  } else if (sources[0] === 'pvc') {
    if (!(typeof src.claim_name === 'string' && RFC1123.test(src.claim_name) && src.claim_name.length <= 253)) errors.push(`${where}.pvc.claim_name must be a Kubernetes name`);
    if (src.sub_path !== undefined && !safeSubPath(src.sub_path)) errors.push(`${where}.pvc.sub_path must be a relative path without '..'`);
  } else {
    let u: URL | undefined;
    try {
      u = new URL(String(src.url));
    } catch {
      /* reported below */
    }
    if (!u || !['http:', 'https:'].includes(u.protocol)) errors.push(`${where}.git.url must be an http(s) URL`);
    else if (blockedHost(u.hostname)) errors.push(`${where}.git.url must not point to a local or link-local address`);
    else if (str(src.secret_ref) && u.protocol !== 'https:') errors.push(`${where}.git.secret_ref needs an https URL (credentials never travel in clear)`);
    if (src.ref !== undefined && !str(src.ref)) errors.push(`${where}.git.ref must be a non-empty string`);
    if (src.sub_path !== undefined && !safeSubPath(src.sub_path)) errors.push(`${where}.git.sub_path must be a relative path without '..'`);
  }
  return errors;
}

function safeSubPath(p: unknown): boolean {
  return typeof p === 'string' && !p.startsWith('/') && !p.split('/').includes('..');
}

/** Hosts a git URL may not name: loopback, link-local (cloud metadata), unspecified. */
function blockedHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '0.0.0.0' || /^169\.254\./.test(h) || h === '::1' || h === '::' || /^fe80:/.test(h);
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
