import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { eachBenchmark, exitMessage, failAll, NOT_STARTED, offlineEnv, progressReporter, runTool, toolPath } from '../backend-run';
import { buildGarakConfig, GarakConfigResult, GarakParameterError, REPORT_PREFIX } from './garak-config';
import { DEFAULT_EVAL_THRESHOLD, garakSampleScores, GarakProgress, parseReport, stopReason } from './garak-report';
import { metricStatistics, SAMPLE_SCORES_ARTIFACT, writeSampleScores } from '../sample-scores';

/** How many output lines are kept to explain a run that stopped early. */
const KEEP_LINES = 400;

/**
 * Runs NVIDIA garak (its own environment) against the job's OpenAI-compatible endpoint, one
 * process per benchmark: `garak --config <file>` with everything in the file. garak exits 0 for
 * most failures (unreachable target, a probe without loadable detectors), so only a report with a
 * `completion` entry counts as a finished run.
 */
@Injectable()
export class GarakExecutor implements Executor {
  readonly kind = 'garak' as const;

  async run(ctx: RunContext): Promise<RunOutcome> {
    const bin = await toolPath(ctx, 'garak', 'garak');
    if (!bin) return NOT_STARTED;
    return eachBenchmark(ctx, (index) => this.runOne(ctx, bin, index));
  }

  private async runOne(ctx: RunContext, bin: string, index: number): Promise<RunOutcome> {
    const bench = ctx.job.benchmarks[index];
    const dir = ctx.workDir(index);
    const reportDir = path.join(dir, 'garak');
    // A retried unit starts clean: an old report must not be taken for this run's.
    fs.rmSync(reportDir, { recursive: true, force: true });
    fs.mkdirSync(reportDir, { recursive: true });

    let built: GarakConfigResult;
    try {
      built = buildGarakConfig(ctx.job, index, reportDir);
    } catch (e) {
      if (!(e instanceof GarakParameterError)) throw e;
      ctx.logs.line(`[evalhub] ${e.message}`);
      await failAll(ctx, { message: e.message, message_code: 'invalid_parameter', message_origin: 'runtime' }, [index]);
      return NOT_STARTED;
    }
    const configFile = path.join(dir, 'garak-config.json');
    fs.writeFileSync(configFile, JSON.stringify(built.config, null, 2));
    await ctx.report(index, { status: 'running', phase: 'initializing' });
    ctx.logs.line(`[evalhub] garak benchmark ${bench.id} against ${ctx.job.config.model.url}, probes ${JSON.stringify(built.include)}`);

    const progress = progressReporter(ctx, 'probes', [index]);
    const tracker = new GarakProgress();
    const lines: string[] = [];
    const started = Date.now();
    const outcome = await runTool(ctx, {
      bin,
      args: ['--config', configFile],
      env: {
        ...offlineEnv(dir),
        // garak's plugin cache and site config, per run like its log (XDG_DATA_HOME, in offlineEnv).
        XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
        XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
        // The generator refuses to start without a key; an endpoint without auth takes any.
        OPENAICOMPATIBLE_API_KEY: ctx.modelApiKey || 'no-key',
      },
      cwd: dir,
      runDir: dir,
      onLine: (line) => {
        lines.push(line);
        if (lines.length > KEEP_LINES) lines.shift();
        const p = tracker.update(line);
        if (p) progress(p);
      },
    });
    if (ctx.signal.aborted) return outcome;
    const seconds = (Date.now() - started) / 1000;

    const reportFile = path.join(reportDir, `${REPORT_PREFIX}.report.jsonl`);
    const reportText = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8') : undefined;
    const result = reportText !== undefined ? parseReport(reportText) : undefined;
    if (!result?.complete) {
      const why = stopReason(lines, tracker.current());
      const message = why
        ? { message: `garak did not complete: ${why}`, message_code: 'garak_incomplete', message_origin: 'runtime' as const }
        : outcome.exitCode !== 0
          ? exitMessage('garak', outcome, ctx, 'garak_failed')
          : { message: `garak exited without completing the run (no completion entry in ${result ? reportFile : 'a report: none was written'})`, message_code: 'garak_incomplete', message_origin: 'runtime' as const };
      ctx.logs.line(`[evalhub] ${message.message}`);
      await failAll(ctx, message, [index]);
      return outcome;
    }
    if (result.evaluated === 0 || result.metrics.attack_success_rate === undefined) {
      await failAll(ctx, { message: `garak completed but evaluated no outputs (probes ${JSON.stringify(built.include)})`, message_code: 'garak_no_results', message_origin: 'runtime' }, [index]);
      return outcome;
    }

    await ctx.report(index, { status: 'running', phase: 'post_processing' });
    const artifacts: Record<string, string> = { 'garak.report': reportFile };
    const hitlog = path.join(reportDir, `${REPORT_PREFIX}.hitlog.jsonl`);
    const html = path.join(reportDir, `${REPORT_PREFIX}.report.html`);
    if (fs.existsSync(hitlog)) artifacts['garak.hitlog'] = hitlog;
    if (fs.existsSync(html)) artifacts['garak.html'] = html;
    const run = built.config.run as { eval_threshold?: unknown } | undefined;
    const threshold = typeof run?.eval_threshold === 'number' ? run.eval_threshold : DEFAULT_EVAL_THRESHOLD;
    const samples = garakSampleScores(reportText ?? '', threshold);
    if (samples.length) artifacts[SAMPLE_SCORES_ARTIFACT] = writeSampleScores(dir, bench.id, samples);
    await ctx.report(index, {
      status: 'completed',
      metrics: result.metrics,
      statistics: metricStatistics(result.metrics, samples),
      artifacts,
      additional_info: {
        probes: result.probes,
        probe_count: result.probes.length,
        attempts: result.attempts,
        outputs_evaluated: result.evaluated,
        duration_seconds: seconds,
        garak_version: result.garakVersion,
        garak_run_id: result.runId,
        attack_success_rate_definition: 'failed detector results / all detector results, over every probe and detector',
      },
      logs_path: ctx.logs.filePath,
    });
    return outcome;
  }
}
