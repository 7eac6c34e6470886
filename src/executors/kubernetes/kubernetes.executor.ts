import { Injectable } from '@nestjs/common';
import { isTerminalBenchmarkState } from '../../domain/job-state';
import { effectiveHardware, ProfileSettings } from '../../domain/pod-placement';
import { loadHardwareProfile } from '../../kubernetes/hardware-profiles';
import { buildBenchmarkResources, selectorFor } from '../../kubernetes/job-manifest';
import { K8sError, K8sGateway, V1Job, V1Pod } from '../../kubernetes/k8s-gateway';
import { diagnose } from '../../kubernetes/pod-diagnosis';
import { Executor, RunContext, RunOutcome } from '../executor.interface';

const RELIST_MS = 2000;
const COMPLETE_GRACE_MS = 5000;
// How long a vanished pod waits for the Job to say why before it is reported as deleted.
const POD_GONE_GRACE_MS = 1500;

/**
 * Runs a benchmark as a Kubernetes Job from the provider's adapter image (`runtime.k8s`), with
 * the EvalHub sidecar next to it. The adapter reports through the sidecar; this executor watches
 * the Job and its pods (list, then watch, plus a periodic relist) and fails the benchmark itself
 * when Kubernetes says it cannot finish: OOMKilled, image pull failure, crash, deadline, an
 * unschedulable or deleted pod, or success without a result.
 */
@Injectable()
export class KubernetesExecutor implements Executor {
  readonly kind = 'kubernetes' as const;

  constructor(private readonly k8s: K8sGateway) {}

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

  private async watchUntilDone(ctx: RunContext, index: number, ns: string, name: string): Promise<void> {
    const selector = selectorFor(ctx.job.resource.id, index);
    const pods = new Map<string, V1Pod>();
    let jobObj: V1Job | undefined;
    let podSeen = false;
    let completeSince: number | undefined;
    let podsGoneSince: number | undefined;
    let recheck: NodeJS.Timeout | undefined;
    let finished = false;
    let stops: (() => void)[] = [];

    return new Promise<void>((resolve) => {
      const finish = () => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        clearTimeout(recheck);
        stops.forEach((s) => s());
        resolve();
      };
      const evaluate = async () => {
        if (finished) return;
        const current = await ctx.currentJob();
        const status = current?.status.benchmarks.find((b) => b.benchmark_index === index);
        if (!current || (status && isTerminalBenchmarkState(status.status))) return finish();
        if (jobObj?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) completeSince ??= Date.now();
        if (podSeen && pods.size === 0 && podsGoneSince === undefined) {
          podsGoneSince = Date.now();
          // Look again once the grace is over, even if no event arrives before the next relist.
          recheck = setTimeout(() => void evaluate(), POD_GONE_GRACE_MS + 50);
        } else if (pods.size > 0) podsGoneSince = undefined;
        const d = diagnose(jobObj, [...pods.values()], {
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
      // Relist: the truth after any gap (a restarted worker, a dropped watch).
      const relist = async () => {
        try {
          const list = await this.k8s.listPods(ns, selector);
          pods.clear();
          for (const p of list.items) pods.set(p.metadata!.name!, p);
          if (list.items.length) podSeen = true;
          jobObj = await this.k8s.getJob(ns, name);
          return list.resourceVersion;
        } catch (e) {
          ctx.logs.line(`[evalhub] relist failed: ${(e as Error).message}`);
          return undefined;
        }
      };
      const startWatches = async (rv: string | undefined) => {
        stops.forEach((s) => s());
        stops = [];
        try {
          stops.push(
            await this.k8s.watch<V1Pod>(`/api/v1/namespaces/${ns}/pods`, selector, rv, ({ type, object }) => {
              if (type === 'DELETED') pods.delete(object.metadata!.name!);
              else if (type !== 'BOOKMARK' && type !== 'ERROR') {
                pods.set(object.metadata!.name!, object);
                podSeen = true;
              }
              void evaluate();
            }, () => undefined),
          );
          stops.push(
            await this.k8s.watch<V1Job>(`/apis/batch/v1/namespaces/${ns}/jobs`, selector, rv, ({ type, object }) => {
              if (object.metadata?.name === name) jobObj = type === 'DELETED' ? undefined : object;
              void evaluate();
            }, () => undefined),
          );
        } catch (e) {
          ctx.logs.line(`[evalhub] watch failed (relisting instead): ${(e as Error).message}`);
        }
      };
      const timer = setInterval(() => void relist().then(() => evaluate()), RELIST_MS);
      ctx.signal.addEventListener('abort', finish, { once: true });
      void relist().then(async (rv) => {
        await evaluate();
        if (!finished) await startWatches(rv);
      });
    });
  }
}
