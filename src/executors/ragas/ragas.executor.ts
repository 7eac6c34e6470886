import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { MessageInfo } from '../../domain/types';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { eachBenchmark, exitMessage, failAll, freshRunDir, offlineEnv, progressReporter, runTool, toolPath } from '../backend-run';
import { RAGAS_KEY_ENV, ragasDriverConfig, ragasError, RagasResults, ragasMetrics, ragasProgress } from './ragas-config';
import { metricStatistics, ragasSampleScores, SAMPLE_SCORES_ARTIFACT, writeSampleScores } from '../sample-scores';

/** RAGAS is a library: the project's driver (python/drivers) runs it headless. */
const DRIVER = path.resolve(__dirname, '..', '..', '..', 'python', 'drivers', 'ragas_eval.py');

const MESSAGE_CODES: Record<number, string> = { 2: 'ragas_input_invalid', 3: 'model_endpoint_unreachable', 4: 'ragas_all_failed' };

/**
 * Scores a RAG dataset with RAGAS, the job's model as the judge: one driver process per
 * benchmark, means over the rows as metrics, the per-row scores as an artifact.
 */
@Injectable()
export class RagasExecutor implements Executor {
  readonly kind = 'ragas' as const;

  run(ctx: RunContext): Promise<RunOutcome> {
    return eachBenchmark(ctx, (index) => this.runOne(ctx, index));
  }

  private async runOne(ctx: RunContext, index: number): Promise<RunOutcome | undefined> {
    const runDir = freshRunDir(ctx, index);
    const outDir = path.join(runDir, 'out');
    fs.mkdirSync(outDir, { recursive: true });
    const config = ragasDriverConfig(ctx.job, index, ctx.provider, outDir);
    if ('error' in config) {
      await failAll(ctx, { message: config.error, message_code: 'ragas_input_invalid', message_origin: 'runtime' }, [index]);
      return undefined;
    }
    const refusal = datasetRefusal(ctx, config.dataset_path);
    if (refusal) {
      await failAll(ctx, { message: refusal, message_code: 'ragas_input_invalid', message_origin: 'runtime' }, [index]);
      return undefined;
    }
    const python = await toolPath(ctx, 'ragas', 'python');
    if (!python) return undefined;
    const configFile = path.join(runDir, 'ragas-config.json');
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2));

    await ctx.report(index, { status: 'running', phase: 'initializing' });
    const progress = progressReporter(ctx, 'rows', [index]);
    let driverError: string | undefined;
    const started = Date.now();
    const outcome = await runTool(ctx, {
      bin: python,
      args: [DRIVER, configFile],
      env: { ...offlineEnv(runDir), [RAGAS_KEY_ENV]: ctx.modelApiKey ?? 'not-needed' },
      cwd: runDir,
      runDir,
      onLine: (line) => {
        driverError = ragasError(line) ?? driverError;
        const p = ragasProgress(line);
        if (p) progress({ phase: 'running_evaluation', ...p });
      },
    });
    if (ctx.signal.aborted) return outcome;
    if (outcome.exitCode !== 0) {
      const message: MessageInfo = driverError
        ? { message: `RAGAS: ${driverError}`, message_code: MESSAGE_CODES[outcome.exitCode ?? -1] ?? 'ragas_failed', message_origin: 'runtime' }
        : exitMessage('RAGAS', outcome, ctx, 'ragas_failed');
      await failAll(ctx, message, [index]);
      return outcome;
    }
    const resultsFile = path.join(outDir, 'results.json');
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as RagasResults;
    const metrics = ragasMetrics(results);
    // Per-row scores: the intervals of the means, and what a paired comparison of runs needs.
    const scoresFile = path.join(outDir, 'scores.jsonl');
    const perRow = fs.existsSync(scoresFile) ? ragasSampleScores(fs.readFileSync(scoresFile, 'utf8')) : [];
    const sampleScores = perRow.length ? writeSampleScores(outDir, ctx.job.benchmarks[index].id, perRow) : undefined;
    const failed = Object.entries(results.errors ?? {}).map(([m, e]) => `${m}: ${e.count} row(s) failed (${e.first})`);
    await ctx.report(index, {
      status: 'completed',
      metrics,
      statistics: metricStatistics(metrics, perRow),
      artifacts: { 'ragas.results': resultsFile, 'ragas.scores': scoresFile, ...(sampleScores ? { [SAMPLE_SCORES_ARTIFACT]: sampleScores } : {}) },
      additional_info: {
        rows: results.rows,
        scored_rows: results.scored,
        nan_rows: results.nan,
        ...(failed.length ? { row_errors: failed } : {}),
        metrics_requested: config.metrics,
        duration_seconds: (Date.now() - started) / 1000,
      },
      logs_path: ctx.logs.filePath,
    });
    return outcome;
  }
}

/**
 * Where the service is shared, a tenant's dataset must be in the tenant's own task folder: a path
 * elsewhere would let one tenant make the worker read files it should not (another's data).
 */
function datasetRefusal(ctx: RunContext, datasetPath: string): string | undefined {
  const shared = ctx.cfg.tenancyMode === 'cluster' || ctx.cfg.auth.mode !== 'none';
  if (!shared) return undefined;
  const tenant = ctx.job.resource.tenant;
  const own = ctx.cfg.tenantTasksDir && tenant ? path.join(ctx.cfg.tenantTasksDir, tenant) : undefined;
  const p = path.resolve(datasetPath);
  if (own && (p === own || p.startsWith(own + path.sep))) return undefined;
  return own ? `parameters.dataset_path must lie inside this tenant's folder ${own}` : 'parameters.dataset_path is not available to tenants here: the operator has not set TENANT_TASKS_DIR';
}
