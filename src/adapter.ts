import 'reflect-metadata';
import * as os from 'os';
import * as path from 'path';
import { isAdapterBackend, runNativeAdapter } from './adapter/native-backend-adapter';
import { ConfigError, loadConfig } from './core/config/app-config';
import { NATIVE_BACKENDS } from './domain/native-backends';
import { JobSpec, JobSpecError } from './sdk/adapter';

/**
 * EvalHub's adapter process (`node dist/adapter.js <backend>`): runs one benchmark of the JobSpec
 * at EVALHUB_JOB_SPEC_PATH (default /meta/job.json) with the native backend and reports to the
 * JobSpec's callback URL. The component of a Kubeflow Pipelines run, or any pod's command.
 *
 *   EVALHUB_WORK_DIR        scratch folder for the run (default: a temp folder)
 *   OPENAI_API_KEY          the model's key, if it needs one
 *   EVALHUB_INCLUDE_PATH    the provider's task files in this image (Lighteval custom tasks, lm-eval tasks)
 *
 * Exit codes: 0 the benchmark completed, 1 it failed, 2 usage or JobSpec error, 3 cancelled.
 */
async function main(): Promise<number> {
  const backend = process.argv[2] ?? '';
  if (!isAdapterBackend(backend)) {
    process.stderr.write(`usage: adapter <backend>   (one of ${NATIVE_BACKENDS.join(', ')})\n`);
    return 2;
  }
  const spec = JobSpec.fromFile();
  const workDir = path.resolve(process.env.EVALHUB_WORK_DIR || path.join(os.tmpdir(), `evalhub-adapter-${spec.id}-${spec.benchmarkIndex}`));
  // The adapter is the pod's process: it runs as whoever the image says, never switching users.
  const cfg = { ...loadConfig({ ...process.env, DATA_DIR: workDir }), runAs: undefined };
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort(sig));
  const completed = await runNativeAdapter({
    backend,
    spec,
    cfg,
    workDir,
    modelApiKey: process.env.OPENAI_API_KEY || undefined,
    includePath: process.env.EVALHUB_INCLUDE_PATH || undefined,
    signal: stop.signal,
  });
  if (stop.signal.aborted) return 3;
  return completed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof JobSpecError || e instanceof ConfigError ? (e as Error).message : ((e as Error)?.stack ?? String(e))}\n`);
    process.exit(2);
  },
);
