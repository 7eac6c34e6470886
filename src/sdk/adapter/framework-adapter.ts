import { DefaultCallbacks, JobCallbacks } from './callbacks';
import { JobSpec } from './job-spec';
import { AdapterSettings } from './settings';
import type { JobResults } from './types';

/** A framework brought to EvalHub: runs one benchmark of a JobSpec and returns its results. */
export interface FrameworkAdapter {
  runBenchmarkJob(spec: JobSpec, callbacks: JobCallbacks): Promise<JobResults>;
}

export interface RunAdapterOptions {
  env?: NodeJS.ProcessEnv;
  /** Replaces DefaultCallbacks (tests, custom transports). */
  callbacks?: (spec: JobSpec, settings: AdapterSettings) => JobCallbacks;
  log?: (line: string) => void;
}

/**
 * The whole adapter entrypoint: settings and JobSpec from the environment, `running`, the
 * adapter's run, the results report, and the exit code: 0 completed, 1 failed (reported as
 * such), 2 it could not start. An adapter that exports files calls callbacks.createOciArtifact
 * when `spec.ociExport` is set and puts the result in `ociArtifact`.
 *
 *   runAdapter(new MyAdapter()).then((code) => process.exit(code));
 */
export async function runAdapter(adapter: FrameworkAdapter, o: RunAdapterOptions = {}): Promise<number> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  let settings: AdapterSettings;
  let spec: JobSpec;
  try {
    settings = AdapterSettings.fromEnv(o.env);
    settings.validateRuntime();
    spec = JobSpec.fromFile(settings.jobSpecPath);
  } catch (e) {
    log(`[adapter] ${(e as Error).message}`);
    return 2;
  }
  const callbacks = o.callbacks ? o.callbacks(spec, settings) : new DefaultCallbacks(spec, settings, undefined, log);
  const started = Date.now();
  try {
    await callbacks.reportStatus({ status: 'running', phase: 'initializing' });
    const results = await adapter.runBenchmarkJob(spec, callbacks);
    results.durationSeconds ??= (Date.now() - started) / 1000;
    await callbacks.reportResults(results);
    log(`[adapter] ${spec.benchmarkId}: completed with ${results.results.length} metrics in ${results.durationSeconds.toFixed(1)} s`);
    return 0;
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    log(`[adapter] ${spec.benchmarkId} failed: ${message}`);
    await callbacks.reportStatus({ status: 'failed', phase: 'failed', error: { message, messageCode: 'adapter_failed' } }).catch((err: unknown) => log(`[adapter] the failure could not be reported: ${(err as Error).message}`));
    return 1;
  }
}
