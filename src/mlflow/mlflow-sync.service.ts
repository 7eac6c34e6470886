import { Injectable, Logger } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { isTerminalJobState } from '../domain/job-state';
import { ArtifactStash } from '../evaluations/artifact-stash';
import { JobsRepository } from '../evaluations/jobs.repository';
import { evaluationCard } from './evaluation-card';
import { MlflowExperiments } from './experiment-tracker.service';
import { MlflowClient, MlflowRunInfo, MlflowTag } from './mlflow.client';
import { tag, toMlflowMetrics, toParams } from './mlflow-names';

const RUN_KIND = 'evalhub.run_kind';
const JOB_TAG = 'evalhub.job_id';
const INDEX_TAG = 'evalhub.benchmark_index';

/**
 * Writes a finished job to MLflow: a job run (score, pass, evaluation card) and, as its children,
 * one run per benchmark that EvalHub's own executors ran (params, metrics, artifacts). Every step
 * looks for what an earlier, interrupted attempt already wrote, so retries never duplicate runs.
 */
@Injectable()
export class MlflowSync {
  private readonly logger = new Logger(MlflowSync.name);

  constructor(
    private readonly experiments: MlflowExperiments,
    private readonly jobs: JobsRepository,
    private readonly stash: ArtifactStash,
  ) {}

  async syncJob(jobId: string): Promise<'synced' | 'skipped'> {
    const client = this.experiments.client;
    let job = await this.jobs.get(jobId);
    if (!client || !job?.config.experiment || !isTerminalJobState(job.status.state)) return 'skipped';
    if (job.tracking?.state === 'synced') return 'skipped';

    let experimentId = job.resource.mlflow_experiment_id;
    if (!experimentId) {
      experimentId = await this.experiments.ensure(job);
      const url = this.experiments.experimentUrl(experimentId);
      job = (await this.jobs.update(jobId, (j) => ({ ...j, resource: { ...j.resource, mlflow_experiment_id: experimentId }, results: { ...j.results, mlflow_experiment_url: url } })))!.after;
    }

    const jobRun = await this.findOrCreate(client, experimentId, { [JOB_TAG]: jobId, [RUN_KIND]: 'job' }, job.config.name || `evaluation-card-${jobId}`, [
      tag('evaluation_job_id', jobId),
      tag('context', 'eval-hub'),
      tag(JOB_TAG, jobId),
      tag(RUN_KIND, 'job'),
    ]);
    const now = Date.now();
    const test = job.results.test;
    await client.logBatch(
      jobRun.run_id,
      test ? toMlflowMetrics({ score: test.score, threshold: test.threshold, pass: test.pass }, now) : [],
      toParams({ model_name: job.config.model.name, model_url: job.config.model.url, collection_id: job.config.collection?.id, benchmarks: job.benchmarks.length }),
      [tag('state', job.status.state), ...(test ? [tag('pass', test.pass)] : [])],
    );
    await client.uploadArtifact(jobRun, 'evaluation-card.json', JSON.stringify(evaluationCard(job), null, 2));

    const benchmarkRuns: Record<string, string> = { ...(job.tracking?.benchmark_runs ?? {}) };
    for (const [index, b] of job.benchmarks.entries()) {
      const status = job.status.benchmarks.find((s) => s.benchmark_index === index);
      const result = job.results.benchmarks?.find((r) => r.benchmark_index === index);
      if (!status || !['completed', 'failed'].includes(status.status)) continue;
      // An adapter that logged its own run (SDK callbacks.mlflow.save) keeps it; we only adopt it.
      if (result?.mlflow_run_id && !benchmarkRuns[index]) {
        await client.setTag(result.mlflow_run_id, 'mlflow.parentRunId', jobRun.run_id).catch(() => undefined);
        continue;
      }
      const run = await this.findOrCreate(client, experimentId, { [JOB_TAG]: jobId, [INDEX_TAG]: String(index), [RUN_KIND]: 'benchmark' }, `${jobId}_${index}`, [
        tag('mlflow.parentRunId', jobRun.run_id),
        tag(JOB_TAG, jobId),
        tag(INDEX_TAG, index),
        tag(RUN_KIND, 'benchmark'),
        ...(job.config.experiment?.tags ?? []).map((t) => tag(t.key, t.value)),
      ]);
      const p = (b.parameters ?? {}) as Record<string, unknown>;
      await client.logBatch(
        run.run_id,
        toMlflowMetrics(result?.metrics, now),
        toParams({ benchmark_id: b.id, provider_id: b.provider_id, model_name: job.config.model.name, num_examples: p.num_examples, num_few_shot: p.num_few_shot ?? p.num_fewshot }),
        [tag('status', status.status), ...(result?.test ? [tag('pass', result.test.pass)] : [])],
      );
      for (const file of artifactFiles(result?.artifacts, result?.logs_path)) {
        // This worker's disk if it ran the benchmark, else the copy kept in Redis.
        const content = fs.existsSync(file) ? fs.readFileSync(file) : await this.stash.read(jobId, index, file);
        if (content) await client.uploadArtifact(run, path.basename(file), content);
        else this.logger.warn(`job ${jobId} benchmark ${index}: ${path.basename(file)} is on another worker's disk only; not uploaded`);
      }
      await client.updateRun(run.run_id, status.status === 'completed' ? 'FINISHED' : 'FAILED', now);
      benchmarkRuns[index] = run.run_id;
    }
    await client.updateRun(jobRun.run_id, job.status.state === 'completed' ? 'FINISHED' : job.status.state === 'cancelled' ? 'KILLED' : 'FAILED', now);

    await this.jobs.update(jobId, (j) => ({
      ...j,
      results: {
        ...j.results,
        benchmarks: j.results.benchmarks?.map((r) => (benchmarkRuns[r.benchmark_index] ? { ...r, mlflow_run_id: benchmarkRuns[r.benchmark_index] } : r)),
      },
      tracking: { state: 'synced', job_run_id: jobRun.run_id, benchmark_runs: benchmarkRuns },
    }));
    await this.stash.drop(jobId);
    this.logger.log(`job ${jobId} recorded in MLflow experiment ${experimentId} (run ${jobRun.run_id})`);
    return 'synced';
  }

  async markPending(jobId: string, error: string, state: 'pending' | 'failed' = 'pending'): Promise<void> {
    await this.jobs.update(jobId, (j) => ({ ...j, tracking: { ...(j.tracking ?? { state }), state, last_error: error } }));
  }

  /** The run an earlier attempt created (found by its tags), or a new one. */
  private async findOrCreate(client: MlflowClient, experimentId: string, match: Record<string, string>, name: string, tags: MlflowTag[]): Promise<MlflowRunInfo> {
    const filter = Object.entries(match)
      .map(([k, v]) => `tags.\`${k}\` = '${v.replace(/'/g, "\\'")}'`)
      .join(' and ');
    const [found] = await client.searchRuns(experimentId, filter);
    if (found) return found.info;
    return client.createRun(experimentId, name, tags, Date.now());
  }
}

/** Files named in a result's artifacts (e.g. lm-eval results and samples) plus its log. */
function artifactFiles(artifacts: Record<string, unknown> | undefined, logsPath: string | undefined): string[] {
  const files = Object.values(artifacts ?? {}).filter((v): v is string => typeof v === 'string' && v.startsWith('/'));
  if (logsPath) files.push(logsPath);
  return [...new Set(files)];
}

