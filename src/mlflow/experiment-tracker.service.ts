import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { ApiError } from '../core/errors/api-error';
import { JobRecord } from '../domain/types';
import { ExperimentTracker } from '../evaluations/experiment-tracker';
import { MlflowClient, MlflowError, MlflowTag } from './mlflow.client';
import { tag } from './mlflow-names';

/** Experiment handling at submit time, and what the sync needs to find MLflow. */
@Injectable()
export class MlflowExperiments implements ExperimentTracker {
  private readonly logger = new Logger(MlflowExperiments.name);
  readonly client?: MlflowClient;

  constructor(@Inject(APP_CONFIG) private readonly cfg: AppConfig) {
    if (cfg.mlflowTrackingUri) this.client = new MlflowClient(cfg.mlflowTrackingUri, 10000, cfg.mlflowAuth);
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  private get uiBase(): string {
    return `${this.cfg.mlflowPublicUrl ?? this.cfg.mlflowTrackingUri}`.replace(/\/+$/, '');
  }

  /** A link a person can open: the experiment's runs table in the MLflow UI (not its overview). */
  experimentUrl(experimentId: string): string {
    return `${this.uiBase}/#/experiments/${experimentId}/runs`;
  }

  runUrl(experimentId: string, runId: string): string {
    return `${this.uiBase}/#/experiments/${experimentId}/runs/${runId}`;
  }

  async runArtifacts(runId: string): Promise<{ name: string; size_bytes?: number }[]> {
    if (!this.client) return [];
    const files = await this.client.listArtifacts(runId);
    return files.filter((f) => !f.is_dir).map((f) => ({ name: f.path, size_bytes: f.file_size }));
  }

  async readRunArtifact(runId: string, name: string): Promise<Buffer | undefined> {
    if (!this.client) return undefined;
    const run = await this.client.getRun(runId);
    return this.client.downloadArtifact(run.info, name);
  }

  experimentTags(job: JobRecord): MlflowTag[] {
    const tags = [...(job.config.experiment?.tags ?? []).map((t) => tag(t.key, t.value))];
    tags.push(tag('context', 'eval-hub'), tag('evaluation_job_name', job.config.name), tag('evaluation_job_id', job.resource.id));
    if (job.config.description) tags.push(tag('evaluation_job_description', job.config.description));
    return tags;
  }

  async ensure(job: JobRecord, timeoutMs?: number): Promise<string> {
    const client = timeoutMs ? this.client!.withTimeout(timeoutMs) : this.client!;
    const exp = job.config.experiment!;
    return (await client.ensureExperiment(exp.name, this.experimentTags(job), exp.artifact_location)).id;
  }

  async prepareExperiment(job: JobRecord): Promise<{ experimentId?: string; url?: string }> {
    try {
      const id = await this.ensure(job, 3000);
      return { experimentId: id, url: this.experimentUrl(id) };
    } catch (e) {
      if (e instanceof MlflowError && !e.retryable) throw new ApiError('mlflow_request_failed', `MLflow rejected the experiment: ${e.message}`);
      // MLflow down must not block evaluations: accept now, create the experiment when it is back.
      this.logger.warn(`MLflow unavailable at submit of job ${job.resource.id}: ${(e as Error).message}`);
      return {};
    }
  }
}
