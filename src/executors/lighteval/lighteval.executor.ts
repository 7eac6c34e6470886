import { Injectable } from '@nestjs/common';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { eachBenchmark, exitMessage, failAll, freshRunDir, newestFile, offlineEnv, openAiBase, progressReporter, runTool, toolPath } from '../backend-run';
import { apiFailure, lightevalMetrics, lightevalProgress, lightevalSampleScores } from './lighteval-results';
import { metricStatistics, SAMPLE_SCORES_ARTIFACT, SampleScores, writeSampleScores } from '../sample-scores';
import { lightevalTasks } from './lighteval-tasks';

/** Lighteval retries a failing call 8 times with backoff (minutes); once is enough to know. */
const API_MAX_RETRY = 1;
const REQUEST_TIMEOUT_S = 120;
/** Reads the parquet details into per-sample scores (python/drivers, the Lighteval environment's Python). */
const SAMPLES_DRIVER = path.resolve(__dirname, '..', '..', '..', 'python', 'drivers', 'lighteval_sample_scores.py');

/**
 * Runs Lighteval (`lighteval endpoint litellm`) against the job's OpenAI-compatible endpoint, one
 * benchmark per process. Every run gets a fresh folder as its working directory and cache: LiteLLM
 * keeps a response cache in the working directory whose key ignores the endpoint, so a shared one
 * would hand a run another run's answers.
 */
@Injectable()
export class LightevalExecutor implements Executor {
  readonly kind = 'lighteval' as const;

  run(ctx: RunContext): Promise<RunOutcome> {
    return eachBenchmark(ctx, (index) => this.runOne(ctx, index));
  }

  private async runOne(ctx: RunContext, index: number): Promise<RunOutcome | undefined> {
    const b = ctx.job.benchmarks[index];
    const params = (b.parameters ?? {}) as Record<string, unknown>;
    const fewShot = Number(params.num_few_shot ?? params.num_fewshot ?? 0);
    // The catalog's pass@k settings (pass_at_k, num_samples) parametrise the task's metric.
    const metricParams: Record<string, number> = {};
    if (typeof params.pass_at_k === 'number') metricParams.k = params.pass_at_k;
    if (typeof params.num_samples === 'number') metricParams.n = params.num_samples;
    const plan = lightevalTasks(b.id, fewShot, params.tasks, metricParams);
    if ('error' in plan) {
      await failAll(ctx, { message: plan.error, message_code: 'lighteval_task_unsupported', message_origin: 'runtime' }, [index]);
      return undefined;
    }
    const custom = customTasksFile(ctx.provider?.runtime?.local?.include_path);
    if (custom && 'error' in custom) {
      await failAll(ctx, { message: custom.error, message_code: 'lighteval_custom_tasks_invalid', message_origin: 'runtime' }, [index]);
      return undefined;
    }
    const bin = await toolPath(ctx, 'lighteval', 'lighteval');
    if (!bin) return undefined;

    const runDir = freshRunDir(ctx, index);
    const outDir = path.join(runDir, 'out');
    fs.mkdirSync(outDir, { recursive: true });
    const model = ctx.job.config.model;
    const generation: Record<string, unknown> = { temperature: params.temperature ?? 0.0 };
    if (params.max_new_tokens !== undefined) generation.max_new_tokens = params.max_new_tokens;
    if (params.seed !== undefined) generation.seed = params.seed;
    // JSON is YAML. The key is not written here: Lighteval copies the model file into its results.
    const modelFile = path.join(runDir, 'model.yaml');
    fs.writeFileSync(
      modelFile,
      JSON.stringify(
        {
          model_parameters: {
            model_name: `openai/${model.name}`,
            base_url: openAiBase(model.url ?? ''),
            max_model_length: 8192,
            api_max_retry: API_MAX_RETRY,
            api_retry_sleep: 1.0,
            timeout: REQUEST_TIMEOUT_S,
            concurrent_requests: 4,
            cache_dir: path.join(runDir, 'cache'),
            ...(params.system_prompt !== undefined ? { system_prompt: params.system_prompt } : {}),
            generation_parameters: generation,
          },
        },
        null,
        2,
      ),
    );
    const args = ['endpoint', 'litellm', modelFile, plan.spec, '--output-dir', outDir, '--save-details'];
    if (custom) args.push('--custom-tasks', custom.file);
    if (params.num_examples !== undefined) args.push('--max-samples', String(params.num_examples));

    await ctx.report(index, { status: 'running', phase: 'initializing' });
    const progress = progressReporter(ctx, 'samples', [index]);
    let apiError: string | undefined;
    const started = Date.now();
    const outcome = await runTool(ctx, {
      bin,
      args,
      env: { ...offlineEnv(runDir), OPENAI_API_KEY: ctx.modelApiKey ?? 'not-needed' },
      cwd: runDir,
      runDir,
      onLine: (line) => {
        apiError ??= apiFailure(line);
        const p = lightevalProgress(line);
        if (p) progress(p);
      },
    });
    if (ctx.signal.aborted) return outcome;
    if (outcome.exitCode !== 0) {
      await failAll(ctx, exitMessage('lighteval', outcome, ctx, 'lighteval_failed'), [index]);
      return outcome;
    }
    if (apiError) {
      // Lighteval scores the empty answers of failed calls as wrong: a 0 that measures nothing.
      await failAll(ctx, { message: `the model endpoint failed during the Lighteval run: ${apiError}`, message_code: 'model_endpoint_failed', message_origin: 'runtime' }, [index]);
      return outcome;
    }
    await ctx.report(index, { status: 'running', phase: 'post_processing' });
    const resultsFile = newestFile(path.join(outDir, 'results'), /^results_.*\.json$/);
    const metrics = resultsFile ? lightevalMetrics(JSON.parse(fs.readFileSync(resultsFile, 'utf8'))) : {};
    if (!resultsFile || Object.keys(metrics).length === 0) {
      await failAll(ctx, { message: `Lighteval wrote no results for ${plan.spec}`, message_code: 'lighteval_no_results', message_origin: 'runtime' }, [index]);
      return outcome;
    }
    const details: Record<string, string> = {};
    for (const f of listFiles(path.join(outDir, 'details'))) {
      const task = /^details_(.+)_\d{4}-\d\d-\d\dT.*\.parquet$/.exec(path.basename(f))?.[1] ?? path.basename(f);
      details[`lighteval.details.${task.replace(/[^A-Za-z0-9_.:-]/g, '_')}`] = f;
    }
    const samples = await sampleScores(ctx, bin, path.join(outDir, 'details'), runDir);
    const scoresFile = samples.length ? writeSampleScores(runDir, b.id, samples) : undefined;
    await ctx.report(index, {
      status: 'completed',
      metrics,
      statistics: metricStatistics(metrics, samples),
      artifacts: { 'lighteval.results': resultsFile, ...details, ...(scoresFile ? { [SAMPLE_SCORES_ARTIFACT]: scoresFile } : {}) },
      additional_info: { lighteval_tasks: plan.spec, duration_seconds: (Date.now() - started) / 1000, ...(params.num_examples !== undefined ? { max_samples: params.num_examples } : {}) },
      logs_path: ctx.logs.filePath,
    });
    return outcome;
  }
}

/**
 * The details' per-sample scores, read by the Lighteval environment's Python (it has pyarrow).
 * Without them the result still has the intervals from Lighteval's stderr; the log says why.
 */
async function sampleScores(ctx: RunContext, lightevalBin: string, detailsDir: string, runDir: string): Promise<SampleScores[]> {
  if (!fs.existsSync(detailsDir)) return [];
  const out = path.join(runDir, 'details-samples.jsonl');
  try {
    await promisify(execFile)(path.join(path.dirname(lightevalBin), 'python'), [SAMPLES_DRIVER, detailsDir, out], { timeout: 120_000, env: { PATH: process.env.PATH ?? '' } });
    return lightevalSampleScores(fs.readFileSync(out, 'utf8'));
  } catch (e) {
    ctx.logs.line(`[evalhub] per-sample scores could not be read from Lighteval's details (${(e as Error).message.split('\n')[0]}); intervals come from Lighteval's stderr only`);
    return [];
  }
}

/**
 * The provider's own task file for --custom-tasks: include_path names a Python file, or a folder
 * that holds exactly one (Lighteval takes one file). Tenants can set it only inside their own
 * task folder (see the local runtime policy), since the file is code that runs on the worker.
 */
function customTasksFile(includePath: string | undefined): { file: string } | { error: string } | undefined {
  if (!includePath) return undefined;
  if (!fs.existsSync(includePath)) return { error: `runtime.local.include_path ${includePath} does not exist on this worker` };
  if (fs.statSync(includePath).isFile()) return { file: includePath };
  const py = fs.readdirSync(includePath).filter((f) => f.endsWith('.py'));
  if (py.length === 1) return { file: path.join(includePath, py[0]) };
  return { error: `runtime.local.include_path ${includePath} must be a Lighteval task file or a folder with exactly one .py file (found ${py.length})` };
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
