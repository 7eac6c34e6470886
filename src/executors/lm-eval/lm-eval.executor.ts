import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { exitMessage, failAll, lastError, newestFile, NOT_STARTED, offlineEnv, progressReporter, runTool, toolPath } from '../backend-run';
import { buildLmEvalInvocation } from './lm-eval-command';
import { progressFromLine } from './lm-eval-progress';
import { parseResults } from './lm-eval-results';
import { lmEvalSampleScores, metricStatistics, SAMPLE_SCORES_ARTIFACT, writeSampleScores } from '../sample-scores';

/**
 * Runs lm-evaluation-harness itself (from the core venv) against the job's OpenAI-compatible
 * endpoint. All benchmarks of the unit run as tasks of ONE lm-eval process: its start-up and task
 * indexing take seconds, so a job with several tasks pays them once.
 */
@Injectable()
export class LmEvalExecutor implements Executor {
  readonly kind = 'lm_evaluation_harness' as const;

  async run(ctx: RunContext): Promise<RunOutcome> {
    const bin = await toolPath(ctx, 'core', 'lm-eval');
    if (!bin) return NOT_STARTED;
    for (const i of ctx.indexes) await ctx.report(i, { status: 'running', phase: 'initializing' });
    // A folder per attempt: a retry never picks up an earlier attempt's results file.
    const baseDir = path.join(ctx.cfg.dataDir, 'jobs', ctx.job.resource.id, ctx.unitKey, 'lm-eval', `attempt-${ctx.attempt}`);
    const combined = await this.runTasks(ctx, bin, ctx.indexes, baseDir);
    // Killed (a signal, the OOM killer) or past loading: nothing a run per task would tell apart.
    if (combined.evaluated || combined.outcome.exitCode === 0 || combined.outcome.exitCode === null || ctx.signal.aborted || ctx.indexes.length === 1) return combined.outcome;
    // One task could not be loaded (a missing dataset, a bad task file) and took the whole process
    // with it before any request was made: run each task alone, so each benchmark gets its own
    // result or its own reason, not its neighbour's. When the first two alone fail just as the
    // whole did, the cause is not one task (no tokenizer, no Hugging Face cache): the rest fail
    // with it at once instead of paying lm-eval's start-up once per task.
    const why = lastError(ctx.logs.lastLines(40));
    ctx.logs.line(`[evalhub] the combined run failed before evaluating; running each of its ${ctx.indexes.length} tasks on its own`);
    let last = combined.outcome;
    let sameFailures = 0;
    for (const [n, i] of ctx.indexes.entries()) {
      if (ctx.signal.aborted) break;
      if (sameFailures >= 2) {
        ctx.logs.line('[evalhub] two tasks alone failed as the whole run did: the cause is not one task');
        await failAll(ctx, exitMessage('lm-eval', combined.outcome, ctx, 'lm_eval_failed'), ctx.indexes.slice(n));
        break;
      }
      const single = await this.runTasks(ctx, bin, [i], path.join(baseDir, `task-${i}`));
      last = single.outcome;
      sameFailures = !single.evaluated && single.outcome.exitCode !== 0 && lastError(ctx.logs.lastLines(40)) === why ? sameFailures + 1 : 0;
    }
    return last;
  }

  /** One lm-eval process for these benchmarks; reports their results or failure. */
  private async runTasks(ctx: RunContext, bin: string, indexes: number[], outputDir: string): Promise<{ outcome: RunOutcome; evaluated: boolean }> {
    const { job } = ctx;
    const local = ctx.provider?.runtime?.local;
    fs.mkdirSync(outputDir, { recursive: true });
    const inv = buildLmEvalInvocation(job, indexes, local, outputDir, ctx.modelApiKey);
    const tasks = indexes.map((i) => job.benchmarks[i].id);
    ctx.logs.line(`[evalhub] lm-eval ${inv.modelType} against ${inv.endpoint}, tasks ${tasks.join(',')}`);

    const progress = progressReporter(ctx, 'requests', indexes);
    let evaluated = false;
    const started = Date.now();
    const outcome = await runTool(ctx, {
      bin,
      args: inv.args,
      env: { ...offlineEnv(outputDir), ...inv.env },
      cwd: local?.include_path && fs.existsSync(local.include_path) ? local.include_path : outputDir,
      runDir: outputDir,
      onLine: (line) => {
        const p = progressFromLine(line);
        if (p?.phase === 'running_evaluation') evaluated = true;
        if (p) progress(p);
      },
    });
    if (ctx.signal.aborted) return { outcome, evaluated };
    const seconds = (Date.now() - started) / 1000;

    if (outcome.exitCode !== 0) {
      // A combined run that never evaluated is split by the caller; a single one fails here.
      if (evaluated || indexes.length === 1) await failAll(ctx, exitMessage('lm-eval', outcome, ctx, 'lm_eval_failed'), indexes);
      return { outcome, evaluated };
    }

    for (const i of indexes) await ctx.report(i, { status: 'running', phase: 'post_processing' });
    const resultsFile = newestFile(outputDir, /^results_.*\.json$/);
    const parsed = resultsFile ? parseResults(JSON.parse(fs.readFileSync(resultsFile, 'utf8'))) : new Map();
    for (const i of indexes) {
      const task = job.benchmarks[i].id;
      const r = parsed.get(task);
      if (!r) {
        await ctx.report(i, {
          status: 'failed',
          error_message: { message: `lm-eval produced no results for task '${task}'`, message_code: 'lm_eval_no_results', message_origin: 'runtime' },
        });
        continue;
      }
      const samples = newestFile(outputDir, new RegExp(`^samples_${escapeRe(task)}_.*\\.jsonl$`));
      // Per-sample scores in EvalHub's own form (for intervals and paired comparisons of runs).
      const perSample = samples ? lmEvalSampleScores(fs.readFileSync(samples, 'utf8')) : [];
      const scoresFile = perSample.length ? writeSampleScores(outputDir, task, perSample) : undefined;
      await ctx.report(i, {
        status: 'completed',
        metrics: r.metrics,
        statistics: metricStatistics(r.metrics, perSample, r.samples),
        artifacts: { 'lm_eval.results': resultsFile, ...(samples ? { 'lm_eval.samples': samples } : {}), ...(scoresFile ? { [SAMPLE_SCORES_ARTIFACT]: scoresFile } : {}) },
        additional_info: { num_examples_evaluated: r.samples, duration_seconds: seconds, lm_eval_tasks_in_process: tasks.length },
        logs_path: ctx.logs.filePath,
      });
    }
    return { outcome, evaluated };
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
