import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import { setTimeout as delay } from 'timers/promises';
import { capabilityCallbackUrl } from '../../domain/callback-binding';
import { buildJobSpec } from '../../domain/job-spec';
import { KfpSettings, kfpStateOutcome, resolveKfpSettings, withoutBackend } from '../../domain/kfp-settings';
import { BenchmarkFailure, benchmarkFailure, eachBenchmark, failAll } from '../backend-run';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { ConnectionError } from '../http-call';
import { readSecretRef, SecretRefError } from '../model-auth';
import { KfpApiError, KfpClient, KfpRun } from './kfp-client';
import { buildPipelineSpec, JOB_SPEC_PARAMETER, pipelineName, versionName } from './pipeline-spec';

const DONE: RunOutcome = { exitCode: 0, signal: null };
/** Polls that may fail in a row (KFP restarting, a network blip) before the benchmark fails. */
const MAX_POLL_FAILURES = 5;
/** After the adapter reported its result, how long the run may take to end before we stop watching. */
const AFTER_RESULT_MS = 60_000;
const TERMINATE_TIMEOUT_MS = 10_000;

const fail = benchmarkFailure;

/**
 * Runs a benchmark as a Kubeflow Pipelines v2 run: the pipeline (one component: the adapter image
 * on the benchmark's JobSpec) is uploaded once per content hash and reused, the run goes into an
 * experiment named after the job's, and its state is followed until it ends. The result comes
 * from the adapter's callbacks, as for every adapter; KFP's own error explains a failed run.
 */
@Injectable()
export class KubeflowPipelinesExecutor implements Executor {
  readonly kind = 'kubeflow_pipelines' as const;

  run(ctx: RunContext): Promise<RunOutcome> {
    return eachBenchmark(ctx, async (index) => {
      try {
        await this.runOne(ctx, index);
      } catch (e) {
        if (ctx.signal.aborted) return DONE;
        const info =
          e instanceof BenchmarkFailure
            ? e.info
            : e instanceof ConnectionError
              ? { message: `could not reach Kubeflow Pipelines: ${e.code}: ${e.message}`, message_code: 'kfp_unreachable', message_origin: 'runtime' as const }
              : e instanceof KfpApiError
                ? { message: `Kubeflow Pipelines refused the request: ${e.message}`, message_code: e.status === 401 || e.status === 403 ? 'kfp_unauthorized' : 'kfp_request_failed', message_origin: 'runtime' as const }
                : undefined;
        if (!info) throw e;
        ctx.logs.line(`[evalhub] ${info.message}`);
        await failAll(ctx, info, [index]);
      }
      return DONE;
    });
  }

  private async runOne(ctx: RunContext, index: number): Promise<void> {
    const bench = ctx.job.benchmarks[index];
    const resolved = resolveKfpSettings(ctx.provider?.runtime?.kubeflow_pipelines, bench.parameters);
    if (!resolved.settings) throw fail(resolved.errors.join('; '), 'invalid_parameter');
    const s = resolved.settings;
    const client = new KfpClient({ endpoint: s.kfp_endpoint, namespace: s.namespace, token: this.token(ctx, s), ca: this.ca(s), verifySsl: s.verify_ssl, signal: ctx.signal });
    await ctx.report(index, { status: 'running', phase: 'initializing' });

    const health = await client.health();
    ctx.logs.line(`[evalhub] Kubeflow Pipelines at ${s.kfp_endpoint} (${health.tag_name ?? 'version unknown'}${health.multi_user ? ', multi-user' : ''})`);
    const spec = buildPipelineSpec(s);
    const name = pipelineName(s);
    const version = versionName(spec);
    const pipeline = await client.pipeline(name, spec, 'EvalHub benchmark runs');
    if (pipeline.created) ctx.logs.line(`[evalhub] uploaded pipeline ${name} (${pipeline.id})`);
    const v = await client.version(pipeline.id, version, spec);
    ctx.logs.line(`[evalhub] ${v.created ? 'uploaded' : 'reusing'} pipeline version ${version} (${v.id})`);
    const experiment = s.experiment ?? ctx.job.config.experiment?.name ?? 'evalhub';
    const experimentId = await client.experimentId(experiment);

    const jobSpec = buildJobSpec(ctx.job, index, capabilityCallbackUrl(s.callback_url ?? ctx.cfg.callbackUrl, ctx.callbackToken));
    jobSpec.parameters = withoutBackend(jobSpec.parameters);
    const run = await client.createRun({
      display_name: `evalhub-${ctx.job.resource.id.slice(0, 8)}-${bench.id}-${index}`.slice(0, 128),
      experiment_id: experimentId,
      pipeline_id: pipeline.id,
      pipeline_version_id: v.id,
      parameters: { [JOB_SPEC_PARAMETER]: JSON.stringify(jobSpec) },
      service_account: s.service_account,
    });
    ctx.logs.line(`[evalhub] KFP run ${run.run_id} created in experiment '${experiment}' (${experimentId}); it is ${run.state ?? 'PENDING'}`);
    const last = await this.follow(ctx, client, s, run, index);
    await this.conclude(ctx, index, last);
  }

  /** Polls the run until it ends; terminates it on cancel or timeout. */
  private async follow(ctx: RunContext, client: KfpClient, s: KfpSettings, run: KfpRun, index: number): Promise<KfpRun> {
    const deadline = Date.now() + s.timeout_seconds * 1000;
    const reported = ctx.benchmarkDone(index);
    let reportedAt: number | undefined;
    let state = run.state;
    let failures = 0;
    let current = run;
    for (;;) {
      await delay(s.poll_interval_seconds * 1000, undefined, { signal: ctx.signal }).catch(() => undefined);
      if (ctx.signal.aborted) {
        await this.terminate(client, current.run_id, ctx, 'the job was cancelled');
        return current;
      }
      if (Date.now() > deadline) {
        await this.terminate(client, current.run_id, ctx, `it ran longer than timeout_seconds (${s.timeout_seconds} s)`);
        throw fail(`the Kubeflow Pipelines run ${current.run_id} did not end within timeout_seconds (${s.timeout_seconds} s) and was terminated`, 'kfp_timeout');
      }
      try {
        current = await client.getRun(run.run_id);
        failures = 0;
      } catch (e) {
        if (ctx.signal.aborted) continue;
        if (++failures >= MAX_POLL_FAILURES) throw e;
        ctx.logs.line(`[evalhub] ${new Date().toISOString()} reading KFP run ${run.run_id} failed (${(e as Error).message}); trying again`);
        continue;
      }
      if (current.state !== state) {
        state = current.state;
        ctx.logs.line(`[evalhub] ${new Date().toISOString()} KFP run ${run.run_id} is ${state ?? 'unknown'}`);
      }
      const outcome = kfpStateOutcome(current.state);
      if (outcome === 'succeeded' || outcome === 'failed' || outcome === 'cancelled') return current;
      // The adapter has reported its result; a run that does not end soon after is left to KFP.
      if (reported.aborted) {
        reportedAt ??= Date.now();
        if (Date.now() - reportedAt > AFTER_RESULT_MS) return current;
      }
    }
  }

  private async terminate(client: KfpClient, runId: string, ctx: RunContext, why: string): Promise<void> {
    try {
      await client.terminateRun(runId, AbortSignal.timeout(TERMINATE_TIMEOUT_MS));
      ctx.logs.line(`[evalhub] terminated KFP run ${runId}: ${why}`);
    } catch (e) {
      ctx.logs.line(`[evalhub] could not terminate KFP run ${runId} (${(e as Error).message}); it may still be running in Kubeflow Pipelines`);
    }
  }

  /** The benchmark's end: the adapter's own report wins; otherwise what KFP says of the run. */
  private async conclude(ctx: RunContext, index: number, run: KfpRun): Promise<void> {
    if (ctx.signal.aborted) return;
    const job = await ctx.currentJob();
    const status = job?.status.benchmarks?.find((b) => b.benchmark_index === index)?.status;
    if (status === 'completed' || status === 'failed' || status === 'cancelled') return;
    const outcome = kfpStateOutcome(run.state);
    if (outcome === 'failed') {
      const task = run.run_details?.task_details?.find((t) => t.error?.message)?.error?.message;
      const why = run.error?.message ?? task ?? 'no error given';
      throw fail(`the Kubeflow Pipelines run ${run.run_id} failed: ${why}`, 'kfp_run_failed');
    }
    if (outcome === 'cancelled') throw fail(`the Kubeflow Pipelines run ${run.run_id} was terminated outside EvalHub`, 'kfp_run_cancelled');
    if (outcome === 'succeeded') throw fail(`the Kubeflow Pipelines run ${run.run_id} succeeded, but its adapter reported no result to EvalHub (check that the pod reaches the callback URL)`, 'kfp_no_result');
  }

  private token(ctx: RunContext, s: KfpSettings): string | undefined {
    try {
      return s.auth_token ?? readSecretRef(s.auth_token_secret_ref, ctx.cfg, 'auth_token_secret_ref');
    } catch (e) {
      if (e instanceof SecretRefError) throw fail(e.message, 'secret_ref_unreadable');
      throw e;
    }
  }

  private ca(s: KfpSettings): Buffer | undefined {
    if (!s.ca_bundle_path) return undefined;
    try {
      return fs.readFileSync(s.ca_bundle_path);
    } catch (e) {
      throw fail(`ca_bundle_path ${s.ca_bundle_path} cannot be read on this worker: ${(e as Error).message}`, 'kfp_ca_unreadable');
    }
  }
}
