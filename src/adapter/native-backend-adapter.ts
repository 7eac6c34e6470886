import * as fs from 'fs';
import * as path from 'path';
import { AppConfig } from '../core/config/app-config';
import { NATIVE_BACKENDS, NativeBackend } from '../domain/native-backends';
import { JobRecord, ProviderRecord } from '../domain/types';
import { Executor, RunContext, RunOutcome, UnitEvent } from '../executors/executor.interface';
import { GarakExecutor } from '../executors/garak/garak.executor';
import { GuideLlmExecutor } from '../executors/guidellm/guidellm.executor';
import { LightevalExecutor } from '../executors/lighteval/lighteval.executor';
import { LmEvalExecutor } from '../executors/lm-eval/lm-eval.executor';
import { RagasExecutor } from '../executors/ragas/ragas.executor';
import { DefaultCallbacks, JobSpec } from '../sdk/adapter';
import { CallbackReporter } from './callback-reporter';
import { ConsoleLog } from './console-log';

const EXECUTORS: Record<NativeBackend, () => Executor> = {
  lm_evaluation_harness: () => new LmEvalExecutor(),
  guidellm: () => new GuideLlmExecutor(),
  garak: () => new GarakExecutor(),
  lighteval: () => new LightevalExecutor(),
  ragas: () => new RagasExecutor(),
};

export function isAdapterBackend(name: string): name is NativeBackend {
  return (NATIVE_BACKENDS as readonly string[]).includes(name);
}

export interface AdapterOptions {
  backend: NativeBackend;
  spec: JobSpec;
  cfg: AppConfig;
  /** Where the run's files go (the pod's scratch space). */
  workDir: string;
  /** The model key, from the adapter's environment (a Secret in the pod), never from the JobSpec. */
  modelApiKey?: string;
  /** The provider's task files (Lighteval custom tasks, lm-eval include path), as the image has them. */
  includePath?: string;
  signal: AbortSignal;
}

/**
 * Runs one benchmark of a JobSpec with EvalHub's own executor for `backend`, reporting through the
 * JobSpec's callback URL: the same code as the worker's native run, packaged as an adapter, so a
 * Kubeflow Pipelines component (or any pod) runs exactly what a local worker runs.
 * Resolves to true when the benchmark completed.
 */
export async function runNativeAdapter(o: AdapterOptions): Promise<boolean> {
  const index = o.spec.benchmarkIndex;
  const logs = new ConsoleLog(path.join(o.workDir, 'adapter.log'));
  const reporter = new CallbackReporter(new DefaultCallbacks(o.spec, undefined, undefined, (l) => logs.line(l)));
  let final: UnitEvent['status'] | undefined;
  const job = jobFromSpec(o.spec.document);
  const provider: ProviderRecord = {
    resource: { id: o.spec.providerId, created_at: '', updated_at: '' },
    name: o.spec.providerId,
    title: o.spec.providerId,
    benchmarks: [],
    runtime: { local: { executor: o.backend, ...(o.includePath ? { include_path: o.includePath } : {}) } },
  };
  const never = new AbortController().signal;
  const ctx: RunContext = {
    job,
    unitKey: `adapter-${index}`,
    indexes: [index],
    provider,
    cfg: o.cfg,
    signal: o.signal,
    benchmarkDone: () => never,
    logs,
    report: async (_i, event) => {
      if (event.status === 'completed' || event.status === 'failed' || event.status === 'cancelled') final = event.status;
      await reporter.report(event);
    },
    workDir: (i) => {
      const dir = path.join(o.workDir, String(i), o.spec.benchmarkId.replace(/[^A-Za-z0-9_.-]/g, '_'));
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    recordProcess: async () => undefined,
    currentJob: async () => job,
    attempt: 1,
    callbackToken: '',
    modelApiKey: o.modelApiKey,
  };
  logs.line(`[adapter] ${o.backend}: benchmark ${o.spec.benchmarkId} (index ${index}) of job ${o.spec.id}, model ${o.spec.model.name}`);
  let outcome: RunOutcome | undefined;
  try {
    outcome = await EXECUTORS[o.backend]().run(ctx);
  } catch (e) {
    logs.line(`[adapter] ${o.backend} executor error: ${(e as Error).message}`);
  }
  if (!final && !o.signal.aborted) {
    // The executor ended without a verdict (it crashed, or its tool never started): say so.
    const why = outcome ? `exited with ${outcome.signal ?? `code ${outcome.exitCode}`}` : 'failed';
    await reporter.report({ status: 'failed', error_message: { message: `the ${o.backend} adapter ${why} without a result: ${logs.lastLines(3).join(' | ')}`, message_code: 'adapter_no_result', message_origin: 'runtime' } });
    final = 'failed';
  }
  return final === 'completed';
}

/** The job as the executors see it, from what the JobSpec says of one benchmark. */
function jobFromSpec(spec: JobSpec['document']): JobRecord {
  const parameters = { ...spec.parameters, ...(spec.num_examples !== undefined ? { num_examples: spec.num_examples } : {}) };
  const benchmarks: JobRecord['benchmarks'] = [];
  benchmarks[spec.benchmark_index] = { id: spec.benchmark_id, provider_id: spec.provider_id, parameters };
  return {
    resource: { id: spec.id, created_at: new Date().toISOString(), updated_at: new Date().toISOString() },
    config: {
      name: spec.id,
      model: { url: spec.model.url, name: spec.model.name, ...(spec.model.parameters ? { parameters: spec.model.parameters } : {}) },
      benchmarks: [{ id: spec.benchmark_id, provider_id: spec.provider_id, parameters }],
      ...(spec.experiment_name ? { experiment: { name: spec.experiment_name, ...(spec.tags ? { tags: spec.tags } : {}) } } : {}),
    },
    benchmarks,
    status: { state: 'running', benchmarks: [{ provider_id: spec.provider_id, id: spec.benchmark_id, benchmark_index: spec.benchmark_index, status: 'running' }] },
    results: {},
  } as JobRecord;
}
