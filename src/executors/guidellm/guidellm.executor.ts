import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { environmentPath } from '../../core/runtime/backend-environments';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { eachBenchmark, exitMessage, failAll, freshRunDir, NOT_STARTED, offlineEnv, progressReporter, runTool, toolPath } from '../backend-run';
import { buildGuideLlmInvocation, GuideLlmParameterError, GuideLlmPlan } from './guidellm-command';
import { progressFromLine } from './guidellm-progress';
import { parseGuideLlmReport } from './guidellm-results';

/**
 * guidellm spawns up to 10 worker processes per strategy by default, each importing torch: on a
 * small worker that costs far more than it measures (a constant-rate run took 58 s instead of 22 s
 * on 2 cores). One asyncio worker process drives hundreds of concurrent streams, which is enough
 * for the loads EvalHub's catalog benchmarks ask for.
 */
const WORKER_PROCESSES = '1';
/** Built by python/backends/guidellm/post-install.sh: synthetic data needs a tokenizer, and the Hub is off. */
const TOKENIZER_DIR = 'evalhub-tokenizer';

/**
 * Runs GuideLLM (`guidellm run`) against the job's OpenAI-compatible server, one benchmark per
 * process: synthetic prompts of fixed token counts, the benchmark's load profile, bounded by
 * max_requests and max_seconds per strategy.
 */
@Injectable()
export class GuideLlmExecutor implements Executor {
  readonly kind = 'guidellm' as const;

  async run(ctx: RunContext): Promise<RunOutcome> {
    const bin = await toolPath(ctx, 'guidellm', 'guidellm');
    if (!bin) return NOT_STARTED;
    return eachBenchmark(ctx, (index) => this.runOne(ctx, bin, index));
  }

  private async runOne(ctx: RunContext, bin: string, index: number): Promise<RunOutcome | undefined> {
    const tokenizer = path.join(environmentPath(ctx.cfg, 'guidellm'), TOKENIZER_DIR);
    if (!fs.existsSync(path.join(tokenizer, 'tokenizer.json'))) {
      const message = `the guidellm environment has no ${TOKENIZER_DIR} (it predates the post-install step): delete ${path.dirname(tokenizer)} and run npm run setup -- --backends guidellm`;
      ctx.logs.line(`[evalhub] ${message}`);
      await failAll(ctx, { message, message_code: 'backend_not_installed', message_origin: 'runtime' }, [index]);
      return undefined;
    }

    const runDir = freshRunDir(ctx, index);
    let plan: GuideLlmPlan;
    try {
      plan = buildGuideLlmInvocation(ctx.job, index, runDir, tokenizer, ctx.modelApiKey);
    } catch (e) {
      if (!(e instanceof GuideLlmParameterError)) throw e;
      await failAll(ctx, { message: `guidellm cannot run benchmark '${ctx.job.benchmarks[index].id}': ${e.message}`, message_code: 'guidellm_bad_parameter', message_origin: 'runtime' }, [index]);
      return undefined;
    }

    await ctx.report(index, { status: 'running', phase: 'initializing' });
    ctx.logs.line(
      `[evalhub] guidellm ${plan.profile} against ${plan.target} (${plan.requestFormat}): ${plan.strategies} strateg${plan.strategies === 1 ? 'y' : 'ies'}, ` +
        `at most ${plan.maxRequests} requests / ${plan.maxSeconds} s each, ${plan.promptTokens} prompt + ${plan.outputTokens} output tokens`,
    );
    const progress = progressReporter(ctx, 'requests', [index]);
    const started = Date.now();
    const outcome = await runTool(ctx, {
      bin,
      args: plan.args,
      env: {
        ...offlineEnv(runDir),
        GUIDELLM__MAX_WORKER_PROCESSES: WORKER_PROCESSES,
        // The progress lines are INFO records; an operator's quieter default would hide them.
        GUIDELLM__LOGGING__CONSOLE_LOG_LEVEL: 'INFO',
        ...plan.env,
      },
      cwd: runDir,
      runDir,
      onLine: (line) => {
        const p = progressFromLine(line, plan.strategies, plan.maxRequests);
        if (p) progress(p);
      },
    });
    if (ctx.signal.aborted) return outcome;
    const seconds = (Date.now() - started) / 1000;

    if (outcome.exitCode !== 0) {
      const msg = exitMessage('guidellm', outcome, ctx, 'guidellm_failed');
      if (/Backend validation request failed|Could not connect to the server/.test(msg.message)) {
        msg.message = `guidellm could not reach the model endpoint ${plan.target} (GET /health failed): ${msg.message}`;
        msg.message_code = 'model_endpoint_unreachable';
      }
      await failAll(ctx, msg, [index]);
      return outcome;
    }

    await ctx.report(index, { status: 'running', phase: 'post_processing' });
    if (!fs.existsSync(plan.outputFile)) {
      await failAll(ctx, { message: `guidellm exited 0 but wrote no ${plan.outputFile}`, message_code: 'guidellm_no_results', message_origin: 'runtime' }, [index]);
      return outcome;
    }
    const results = parseGuideLlmReport(JSON.parse(fs.readFileSync(plan.outputFile, 'utf8')));
    if (results.requests.successful === 0) {
      // Throughput and latency of zero successful requests measure nothing but the failure.
      const why = results.firstError ? `: ${results.firstError}` : '';
      await failAll(
        ctx,
        {
          message: `every guidellm request to ${plan.target} failed (${results.requests.errored} errored, ${results.requests.incomplete} incomplete)${why}`,
          message_code: 'model_endpoint_failed',
          message_origin: 'runtime',
        },
        [index],
      );
      return outcome;
    }
    await ctx.report(index, {
      status: 'completed',
      metrics: results.metrics,
      artifacts: { 'guidellm.benchmarks': plan.outputFile },
      additional_info: {
        guidellm_profile: plan.profile,
        strategies: results.strategies,
        best_strategy: results.best,
        requests: results.requests,
        max_requests_per_strategy: plan.maxRequests,
        max_seconds_per_strategy: plan.maxSeconds,
        prompt_tokens: plan.promptTokens,
        output_tokens: plan.outputTokens,
        seed: plan.seed,
        request_format: plan.requestFormat,
        duration_seconds: seconds,
      },
      logs_path: ctx.logs.filePath,
    });
    return outcome;
  }
}
