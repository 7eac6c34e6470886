import { AppConfig } from '../core/config/app-config';
import { parseHardwareProfile, ProfileSettings } from '../domain/pod-placement';
import { K8sGateway } from './k8s-gateway';

export type ProfileProblem = 'hardware_profile_invalid' | 'hardware_profile_not_found' | 'hardware_profile_disabled' | 'hardware_profile_fetch_failed';

/** Why a named HardwareProfile cannot be used, with the contract's message code. */
export class HardwareProfileError extends Error {
  constructor(
    readonly code: ProfileProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the OpenShift AI HardwareProfile a benchmark names from the platform namespace
 * (EVALHUB_HARDWARE_PROFILES_NAMESPACE). Used at submit (so a wrong name is a 4xx) and again
 * when the Job is built (the profile may have changed since).
 */
export async function loadHardwareProfile(k8s: K8sGateway, cfg: AppConfig, name: string): Promise<ProfileSettings> {
  const ns = cfg.k8s.hardwareProfilesNamespace;
  if (!ns) {
    throw new HardwareProfileError('hardware_profile_invalid', `hardware_profile_name '${name}' was given, but this EvalHub has no EVALHUB_HARDWARE_PROFILES_NAMESPACE, so it cannot look HardwareProfiles up.`);
  }
  let obj: Record<string, unknown> | undefined;
  try {
    obj = await k8s.getHardwareProfile(ns, name);
  } catch (e) {
    throw new HardwareProfileError('hardware_profile_fetch_failed', `Could not read HardwareProfile ${ns}/${name}: ${(e as Error).message}`);
  }
  if (!obj) throw new HardwareProfileError('hardware_profile_not_found', `HardwareProfile '${name}' does not exist in namespace ${ns}.`);
  const annotations = (obj.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
  if (String(annotations['opendatahub.io/disabled']).toLowerCase() === 'true') {
    throw new HardwareProfileError('hardware_profile_disabled', `HardwareProfile '${name}' is disabled.`);
  }
  return parseHardwareProfile(obj);
}
