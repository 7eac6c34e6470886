import { Injectable } from '@nestjs/common';
import { isTerminalBenchmarkState } from '../../domain/job-state';
import { effectiveHardware, ProfileSettings } from '../../domain/pod-placement';
import { loadHardwareProfile } from '../../kubernetes/hardware-profiles';
import { BenchmarkInformer } from '../../kubernetes/benchmark-informer';
import { buildBenchmarkResources, labelValue, selectorFor } from '../../kubernetes/job-manifest';
import { K8sError, K8sGateway } from '../../kubernetes/k8s-gateway';
import { diagnose } from '../../kubernetes/pod-diagnosis';
import { Executor, RunContext, RunOutcome } from '../executor.interface';

/** How often the cached state is judged again for the time-based rules (no API call). */
const TICK_MS = 1000;
const COMPLETE_GRACE_MS = 5000;
// How long a vanished pod waits for the Job to say why before it is reported as deleted.
const POD_GONE_GRACE_MS = 1500;

/**
 * Runs a benchmark as a Kubernetes Job from the provider's adapter image (`runtime.k8s`), with
 * the EvalHub sidecar next to it. The adapter reports through the sidecar; this executor follows
 * the Job and its pods (one shared informer per namespace) and fails the benchmark itself
 * when Kubernetes says it cannot finish: OOMKilled, image pull failure, crash, deadline, an
 * unschedulable or deleted pod, or success without a result.
 */
@Injectable()
export class KubernetesExecutor implements Executor {
  readonly kind = 'kubernetes' as const;

  constructor(
    private readonly k8s: K8sGateway,
    private readonly informer: BenchmarkInformer,
  ) {}

  async run(ctx: RunContext): Promise<RunOutcome> {
    for (const index of ctx.indexes) await this.runOne(ctx, index);
    return { exitCode: 0, signal: null };
  }

  private async runOne(ctx: RunContext, index: number): Promise<void> {
    const ns = this.k8s.namespaceFor(ctx.job.resource.tenant);
    const fail = (message: string) =>
      ctx.report(index, { status: 'failed', error_message: { message, message_code: 'runtime_failure', message_origin: 'runtime' } });
    let profile: ProfileSettings | undefined;
    try {
      profile = await this.hardwareProfile(ctx, index);
    } catch (e) {
      ctx.logs.line(`[evalhub] ${(e as Error).message}`);
      await fail((e as Error).message);
      return;
    }
    const { name, configMap, job } = buildBenchmarkResources(ctx.job, index, ctx.provider!, ctx.cfg, ns, ctx.attempt, profile, ctx.callbackToken);
    try {
      await this.k8s.createConfigMap(ns, configMap);
      const created = await this.k8s.createJob(ns, job);
      ctx.logs.line(`[evalhub] ${created === 'created' ? 'created' : 'adopted existing'} Job ${ns}/${name}`);
    } catch (e) {
      const msg = e instanceof K8sError ? e.message : String(e);
      ctx.logs.line(`[evalhub] could not create the Job: ${msg}`);
      await fail(`Kubernetes refused the benchmark Job: ${msg}`);
      return;
    }
    await this.watchUntilDone(ctx, index, ns, name);
    // Cancel and timeout remove the Job; a worker shutdown leaves it for the next worker to adopt.
    const reason = ctx.signal.reason;
    if (reason === 'cancelled' || reason === 'timeout') {
      const selector = selectorFor(ctx.job.resource.id, index);
      // The benchmark's outcome is already decided; a Job left over ends at its activeDeadlineSeconds.
      await this.k8s.deleteBySelector(ns, selector).catch((e: unknown) => ctx.logs.line(`[evalhub] could not delete Job ${name} (${(e as Error).message}); kubectl -n ${ns} delete jobs,configmaps -l ${selector}`));
    }
  }

  /** The HardwareProfile a benchmark names (checked at submit too; it may have changed since). */
  private async hardwareProfile(ctx: RunContext, index: number): Promise<ProfileSettings | undefined> {
    const name = effectiveHardware(ctx.job.benchmarks[index].hardware_config, ctx.job.config.hardware_config)?.hardware_profile_name;
    if (!name) return undefined;
    const profile = await loadHardwareProfile(this.k8s, ctx.cfg, name);
    ctx.logs.line(`[evalhub] using HardwareProfile ${name}`);
    return profile;
  }

  /**
   * Waits until the benchmark is decided: by the adapter's own report (through the sidecar), or by
   * what Kubernetes shows of its Job and pods (the namespace's shared informer). The tick re-judges
   * the cached state for the rules that depend on time (unschedulable for too long, complete
   * without a result, pods gone); it costs no API call.
   */
  private watchUntilDone(ctx: RunContext, index: number, ns: string, name: string): Promise<void> {
    let podSeen = false;
    let completeSince: number | undefined;
    let podsGoneSince: number | undefined;
    let finished = false;
    let judging = false;
    let again = false;

    return new Promise<void>((resolve) => {
      const view = this.informer.watch(ns, labelValue(ctx.job.resource.id), index, name, () => void judge());
      const timer = setInterval(() => void judge(), TICK_MS);
      const finish = () => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        view.stop();
        resolve();
      };
      // One judgement at a time; changes during one are judged right after it.
      const judge = async (): Promise<void> => {
        if (finished) return;
        if (judging) {
          again = true;
          return;
        }
        judging = true;
        try {
          do {
            again = false;
            await evaluate();
          } while (again && !finished);
        } finally {
          judging = false;
        }
      };
      const evaluate = async () => {
        const current = await ctx.currentJob();
        const status = current?.status.benchmarks.find((b) => b.benchmark_index === index);
        if (!current || (status && isTerminalBenchmarkState(status.status))) return finish();
        if (!view.synced) return undefined;
        const pods = view.pods();
        const jobObj = view.job();
        if (pods.length) podSeen = true;
        if (jobObj?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) completeSince ??= Date.now();
        if (podSeen && pods.length === 0) podsGoneSince ??= Date.now();
        else if (pods.length > 0) podsGoneSince = undefined;
        const d = diagnose(jobObj, pods, {
          podSeen,
          now: Date.now(),
          unschedulableSeconds: ctx.cfg.k8s.unschedulableSeconds,
          completeSince,
          completeGraceMs: COMPLETE_GRACE_MS,
          podsGoneSince,
          podGoneGraceMs: POD_GONE_GRACE_MS,
        });
        if (!d || finished) return undefined;
        ctx.logs.line(`[evalhub] ${d.cause}: ${d.message}`);
        await ctx.report(index, { status: 'failed', error_message: { message: d.message, message_code: `runtime_${d.cause}`, message_origin: 'runtime' } });
        return finish();
      };
      ctx.signal.addEventListener('abort', finish, { once: true });
      void judge();
    });
  }
}
