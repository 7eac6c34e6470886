import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { capabilityCallbackUrl } from '../../domain/callback-binding';
import { buildJobSpec } from '../../domain/job-spec';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { runInGroup } from '../process-group';
import { handOver, mirrorForRunUser, runUser } from '../run-as';
import { backendEnv } from '../process-env';
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
      fs.writeFileSync(specPath, JSON.stringify(buildJobSpec(ctx.job, index, capabilityCallbackUrl(ctx.cfg.callbackUrl, ctx.callbackToken)), null, 2));
      const env = backendEnv(ctx.cfg, {
        EVALHUB_JOB_SPEC_PATH: specPath,
        EVALHUB_MODE: 'local',
        // The resolved model key, under the name OpenAI clients read (the JobSpec only names it).
        OPENAI_API_KEY: ctx.modelApiKey,
      });
      // As an unprivileged user when the worker is root: it owns only its benchmark's folder, and
      // reads the worker's MLflow token and CA from copies there (kept fresh: tokens rotate).
      const runAs = runUser(ctx.cfg);
      const mirrors: { stop: () => void }[] = [];
      let auth = ctx.cfg.mlflowAuth;
      if (runAs) {
        handOver(dir, ctx.cfg.dataDir, runAs);
        env.HOME = dir;
        const mirror = (src: string | undefined, name: string) => {
          if (!src) return undefined;
          const m = mirrorForRunUser(src, path.join(dir, 'meta', name), runAs);
          mirrors.push(m);
          return m.path;
        };
        auth = { ...auth, tokenPath: mirror(auth.tokenPath, 'mlflow-token'), caCertPath: mirror(auth.caCertPath, 'mlflow-ca.pem') };
      }
      if (ctx.cfg.mlflowTrackingUri) Object.assign(env, mlflowEnv(ctx.cfg.mlflowTrackingUri, auth, ctx.job.resource.tenant));
      for (const e of local.env ?? []) env[e.name] = e.value;
      ctx.logs.line(`[evalhub] running benchmark ${ctx.job.benchmarks[index].id} (index ${index})${runAs ? ` as ${runAs.user}` : ''}: ${local.command}`);
      outcome = await runInGroup('sh', ['-c', local.command], {
        env,
        runAs,
        cwd: runAs ? dir : process.cwd(),
        logs: ctx.logs,
        signal: AbortSignal.any([ctx.signal, afterGrace(ctx.benchmarkDone(index), EXIT_GRACE_MS)]),
        onSpawn: (pid) => ctx.recordProcess(pid),
      });
      for (const m of mirrors) m.stop();
      ctx.logs.line(`[evalhub] adapter exited with ${outcome.signal ? `signal ${outcome.signal}` : `code ${outcome.exitCode}`}`);
      if (ctx.signal.aborted) break;
    }
    return outcome;
  }
}

/** How long an adapter may go on after it reported its benchmark finished, before it is stopped. */
const EXIT_GRACE_MS = 3000;

/** A signal that aborts `ms` after `signal` did. */
function afterGrace(signal: AbortSignal, ms: number): AbortSignal {
  const c = new AbortController();
  signal.addEventListener('abort', () => setTimeout(() => c.abort('finished'), ms).unref(), { once: true });
  return c.signal;
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
