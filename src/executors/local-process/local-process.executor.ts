import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { buildJobSpec } from '../../domain/job-spec';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { runInGroup } from '../process-group';
import type { MlflowAuth } from '../../core/config/app-config';

/**
 * Runs a provider's `runtime.local.command` (an EvalHub adapter) for one benchmark, the way the
 * upstream local runtime does: `sh -c <command>` with the JobSpec at EVALHUB_JOB_SPEC_PATH and
 * EVALHUB_MODE=local. The adapter reports through the /events callback.
 */
@Injectable()
export class LocalProcessExecutor implements Executor {
  readonly kind = 'local-process' as const;

  async run(ctx: RunContext): Promise<RunOutcome> {
    const local = ctx.provider?.runtime?.local;
    if (!local?.command) throw new Error('provider has no runtime.local.command');
    let outcome: RunOutcome = { exitCode: 0, signal: null };
    for (const index of ctx.indexes) {
      const dir = ctx.workDir(index);
      const specPath = path.join(dir, 'meta', 'job.json');
      fs.mkdirSync(path.dirname(specPath), { recursive: true });
      fs.writeFileSync(specPath, JSON.stringify(buildJobSpec(ctx.job, index, ctx.cfg.callbackUrl), null, 2));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        EVALHUB_JOB_SPEC_PATH: specPath,
        EVALHUB_MODE: 'local',
        ...(ctx.cfg.mlflowTrackingUri ? mlflowEnv(ctx.cfg.mlflowTrackingUri, ctx.cfg.mlflowAuth, ctx.job.resource.tenant) : {}),
      };
      for (const e of local.env ?? []) env[e.name] = e.value;
      ctx.logs.line(`[evalhub] running benchmark ${ctx.job.benchmarks[index].id} (index ${index}): ${local.command}`);
      outcome = await runInGroup('sh', ['-c', local.command], {
        env,
        cwd: process.cwd(),
        logs: ctx.logs,
        signal: ctx.signal,
        onSpawn: (pid) => ctx.recordProcess(pid),
      });
      ctx.logs.line(`[evalhub] adapter exited with ${outcome.signal ? `signal ${outcome.signal}` : `code ${outcome.exitCode}`}`);
      if (ctx.signal.aborted) break;
    }
    return outcome;
  }
}

/** What an SDK adapter needs to reach MLflow as EvalHub does (the env names the SDK honours, §3.2). */
function mlflowEnv(uri: string, auth: MlflowAuth, tenant: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { MLFLOW_TRACKING_URI: uri };
  if (auth.tokenPath) env.MLFLOW_TRACKING_TOKEN_PATH = auth.tokenPath;
  else if (auth.token) env.MLFLOW_TRACKING_TOKEN = auth.token;
  if (auth.caCertPath) env.MLFLOW_TRACKING_SERVER_CERT_PATH = auth.caCertPath;
  const workspace = auth.workspace ?? tenant;
  if (workspace) env.MLFLOW_WORKSPACE = workspace;
  return env;
}
