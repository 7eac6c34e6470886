import type { V1Job, V1Pod } from '@kubernetes/client-node';

export interface Diagnosis {
  cause: 'oom_killed' | 'image_pull' | 'crash' | 'deadline_exceeded' | 'unschedulable' | 'pod_deleted' | 'succeeded_without_result' | 'job_failed';
  message: string;
}

const PULL_REASONS = ['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull'];

/**
 * What went wrong with a benchmark's Job, from the Job and its pods as the API server reports
 * them, or undefined while all is well. `podSeen` tells whether a pod ever existed (so a missing
 * pod means it was deleted). A vanished pod counts only after `podGoneGraceMs`: the Job controller
 * deletes pods before it writes the condition that says why (DeadlineExceeded), and that condition
 * is the better answer.
 */
export function diagnose(
  job: V1Job | undefined,
  pods: V1Pod[],
  opts: {
    podSeen: boolean;
    now: number;
    unschedulableSeconds: number;
    completeSince?: number;
    completeGraceMs: number;
    podsGoneSince?: number;
    podGoneGraceMs: number;
  },
): Diagnosis | undefined {
  for (const pod of pods) {
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const cs of statuses) {
      const term = cs.state?.terminated ?? cs.lastState?.terminated;
      if (term?.reason === 'OOMKilled') {
        return { cause: 'oom_killed', message: `The ${cs.name} container was OOMKilled (out of memory, exit code ${term.exitCode}) in pod ${pod.metadata?.name}; raise the provider's memory limit.` };
      }
      const waiting = cs.state?.waiting;
      if (waiting && PULL_REASONS.includes(waiting.reason ?? '')) {
        return { cause: 'image_pull', message: `The image of the ${cs.name} container could not be pulled (${waiting.reason}): ${waiting.message ?? ''}`.trim() };
      }
      if (waiting?.reason === 'CrashLoopBackOff' || waiting?.reason === 'CreateContainerConfigError') {
        return { cause: 'crash', message: `The ${cs.name} container cannot run (${waiting.reason}): ${waiting.message ?? ''}`.trim() };
      }
      if (cs.name === 'adapter' && cs.state?.terminated && cs.state.terminated.exitCode !== 0) {
        const t = cs.state.terminated;
        return { cause: 'crash', message: `The adapter container exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${t.message ? `: ${t.message}` : ''} without reporting a result.` };
      }
    }
    const sched = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
    if (sched) {
      const since = sched.lastTransitionTime ? new Date(sched.lastTransitionTime).getTime() : opts.now;
      if (opts.now - since >= opts.unschedulableSeconds * 1000) {
        return { cause: 'unschedulable', message: `The pod could not be scheduled for ${opts.unschedulableSeconds}s: ${sched.message ?? 'Unschedulable'}` };
      }
    }
  }
  const failed = job?.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed?.reason === 'DeadlineExceeded') return { cause: 'deadline_exceeded', message: `The Job exceeded its deadline and was stopped: ${failed.message ?? ''}`.trim() };
  const goneLongEnough = opts.podsGoneSince !== undefined && opts.now - opts.podsGoneSince >= opts.podGoneGraceMs;
  if (opts.podSeen && pods.length === 0 && !(job?.status?.succeeded ?? 0) && !failed && goneLongEnough) {
    return { cause: 'pod_deleted', message: "The benchmark's pod was deleted before the adapter reported a result." };
  }
  if (failed) return { cause: 'job_failed', message: `The Job failed (${failed.reason ?? 'Failed'}): ${failed.message ?? ''}`.trim() };
  const complete = job?.status?.conditions?.find((c) => c.type === 'Complete' && c.status === 'True');
  if (complete && opts.completeSince !== undefined && opts.now - opts.completeSince >= opts.completeGraceMs) {
    return { cause: 'succeeded_without_result', message: 'The Job succeeded but the adapter never reported a terminal status for the benchmark.' };
  }
  return undefined;
}
