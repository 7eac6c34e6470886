import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { ApiError } from '../core/errors/api-error';
import type { LogQuery } from '../core/logs/job-logs';
import { JobRuntime, JobUnit } from '../core/runtime/job-runtime';
import { effectiveHardware } from '../domain/pod-placement';
import { JobRecord } from '../domain/types';
import { HardwareProfileError, loadHardwareProfile } from './hardware-profiles';
import { selectorFor } from './job-manifest';
import { K8sGateway } from './k8s-gateway';

/** The API's view of benchmarks that run as Kubernetes Jobs: submit checks, cleanup, pod logs. */
@Injectable()
export class KubernetesJobRuntime implements JobRuntime {
  private readonly logger = new Logger(KubernetesJobRuntime.name);

  constructor(
    private readonly k8s: K8sGateway,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /** A HardwareProfile named by a benchmark that runs as a Kubernetes Job must exist and be enabled. */
  async checkSubmit(job: JobRecord): Promise<void> {
    const names = new Set<string>();
    for (const unit of job.runs ?? []) {
      if (unit.executor !== 'kubernetes') continue;
      for (const i of unit.indexes) {
        const name = effectiveHardware(job.benchmarks[i].hardware_config, job.config.hardware_config)?.hardware_profile_name;
        if (name) names.add(name);
      }
    }
    for (const name of names) {
      try {
        await loadHardwareProfile(this.k8s, this.cfg, name);
      } catch (e) {
        if (e instanceof HardwareProfileError) throw new ApiError(e.code, e.message);
        throw e;
      }
    }
  }

  /** The benchmark Jobs and ConfigMaps of a job, whatever state they are in. */
  async removeResources(job: JobRecord): Promise<void> {
    if (this.cfg.runtime !== 'kubernetes') return;
    const ns = this.k8s.namespaceFor(job.resource.tenant);
    const selector = selectorFor(job.resource.id);
    // The cancel is already in the store and answered; leftovers end at their activeDeadlineSeconds.
    await this.k8s
      .deleteBySelector(ns, selector)
      .catch((e) => this.logger.warn(`cleanup of ${job.resource.id} failed (${(e as Error).message}); if its Jobs linger: kubectl -n ${ns} delete jobs,configmaps -l ${selector}`));
  }

  /** The adapter container's logs of each pod of the unit's benchmarks. */
  async unitLogs(job: JobRecord, unit: JobUnit, indexes: number[], q: LogQuery, headers: boolean): Promise<string[] | undefined> {
    if (unit.executor !== 'kubernetes') return undefined;
    const ns = this.k8s.namespaceFor(job.resource.tenant);
    const out: string[] = [];
    for (const index of indexes) {
      let pods;
      try {
        pods = (await this.k8s.listPods(ns, selectorFor(job.resource.id, index))).items;
      } catch (e) {
        out.push(`(pods of benchmark ${job.benchmarks[index].id} unavailable: ${(e as Error).message})`);
        continue;
      }
      for (const pod of pods) {
        const name = pod.metadata?.name ?? '';
        if (headers) out.push(`=== pod=${name} container=adapter benchmark_id=${job.benchmarks[index].id} ===`);
        const text = await this.k8s
          .podLog(ns, name, 'adapter', { tailLines: q.tailLines > 0 ? q.tailLines : undefined, sinceSeconds: q.sinceSeconds, timestamps: q.timestamps })
          .catch((e) => `(logs unavailable: ${(e as Error).message})`);
        out.push(...text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1));
      }
    }
    return out;
  }
}
