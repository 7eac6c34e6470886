import { isObj, str } from './pod-placement';

// The submit-time checks of hardware_config, the deprecated job-level queue and test_data_ref
// (evalhub-api-v1 §2.4): each answers the problems it finds as messages naming the field.

/** A Kubernetes resource quantity such as 500m, 2, 1.5, 4Gi or 1e3. */
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;
/** RFC 1123 label (PVC names, queue names). */
const RFC1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

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

