import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { MessageInfo } from '../../domain/types';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { runInGroup } from '../process-group';
import { backendEnv } from '../process-env';
import { buildLmEvalInvocation } from './lm-eval-command';
import { progressFromLine } from './lm-eval-progress';
import { parseResults } from './lm-eval-results';

const PROGRESS_EVERY_MS = 1000;

/**
 * Runs lm-evaluation-harness itself (from the project venv) against the job's OpenAI-compatible
 * endpoint. All benchmarks of the unit run as tasks of ONE lm-eval process: its start-up and task
 * indexing take seconds, so a job with several tasks pays them once.
 */
@Injectable()
export class LmEvalExecutor implements Executor {
  readonly kind = 'lm_evaluation_harness' as const;

  async run(ctx: RunContext): Promise<RunOutcome> {
    const { job, indexes } = ctx;
    const local = ctx.provider?.runtime?.local;
    const outputDir = path.join(ctx.cfg.dataDir, 'jobs', job.resource.id, ctx.unitKey, 'lm-eval');
    fs.mkdirSync(outputDir, { recursive: true });
    const bin = path.join(ctx.cfg.pythonVenv, 'bin', 'lm-eval');
    if (!fs.existsSync(bin)) {
      const message = `lm-eval is not installed at ${bin}; run scripts/setup-python.sh or set EVALHUB_PYTHON_VENV.`;
      for (const i of indexes) await ctx.report(i, { status: 'failed', error_message: { message, message_code: 'backend_not_installed', message_origin: 'runtime' } });
      return { exitCode: null, signal: null };
    }
    const inv = buildLmEvalInvocation(job, indexes, local, outputDir, ctx.modelApiKey);
    const tasks = indexes.map((i) => job.benchmarks[i].id);
    for (const i of indexes) await ctx.report(i, { status: 'running', phase: 'initializing' });
    ctx.logs.line(`[evalhub] lm-eval ${inv.modelType} against ${inv.endpoint}, tasks ${tasks.join(',')}`);
    ctx.logs.line(`[evalhub] ${bin} ${inv.args.join(' ')}`);

    // Progress: parsed from lm-eval's output, written at most once a second per unit.
    let last = { phase: 'initializing', percent: -1, at: 0 };
    const onLine = (line: string) => {
      const p = progressFromLine(line);
      if (!p) return;
      const now = Date.now();
      const changed = p.phase !== last.phase || (p.percent !== undefined && p.percent !== last.percent);
      if (!changed || (p.phase === last.phase && now - last.at < PROGRESS_EVERY_MS && p.percent !== 100)) return;
      last = { phase: p.phase, percent: p.percent ?? -1, at: now };
      // Progress is a hint: a lost update is superseded by the next one or by the result.
      for (const i of indexes) void ctx.report(i, { status: 'running', phase: p.phase, progress: p.percent }).catch(() => undefined);
    };
    const started = Date.now();
    const outcome = await runInGroup(bin, inv.args, {
      env: backendEnv(ctx.cfg, { ...inv.env, TOKENIZERS_PARALLELISM: 'false', PYTHONUNBUFFERED: '1' }),
      cwd: local?.include_path && fs.existsSync(local.include_path) ? local.include_path : outputDir,
      logs: ctx.logs,
      signal: ctx.signal,
      onSpawn: (pid) => ctx.recordProcess(pid),
      onLine,
    });
    if (ctx.signal.aborted) return outcome;
    const seconds = (Date.now() - started) / 1000;

    if (outcome.exitCode !== 0) {
      const why = lastError(ctx.logs.lastLines(30));
      const message: MessageInfo = {
        message: `lm-eval ${outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`}${why ? `: ${why}` : ''}`,
        message_code: 'lm_eval_failed',
        message_origin: 'runtime',
      };
      for (const i of indexes) await ctx.report(i, { status: 'failed', error_message: message });
      return outcome;
    }

    for (const i of indexes) await ctx.report(i, { status: 'running', phase: 'post_processing' });
    const resultsFile = newest(outputDir, /^results_.*\.json$/);
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
      const samples = newest(outputDir, new RegExp(`^samples_${escapeRe(task)}_.*\\.jsonl$`));
      await ctx.report(i, {
        status: 'completed',
        metrics: r.metrics,
        artifacts: { 'lm_eval.results': resultsFile, ...(samples ? { 'lm_eval.samples': samples } : {}) },
        additional_info: { num_examples_evaluated: r.samples, duration_seconds: seconds, lm_eval_tasks_in_process: tasks.length },
        logs_path: ctx.logs.filePath,
      });
    }
    return outcome;
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The newest file matching `re` anywhere under dir (lm-eval nests by sanitized model name). */
function newest(dir: string, re: RegExp): string | undefined {
  let best: { file: string; mtime: number } | undefined;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) {
        const mtime = fs.statSync(p).mtimeMs;
        if (!best || mtime > best.mtime) best = { file: p, mtime };
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return best?.file;
}

/** The most telling line of a failed run: the last exception or error line. */
function lastError(lines: string[]): string | undefined {
  const own = lines.filter((l) => !l.startsWith('[evalhub]'));
  const err = [...own].reverse().find((l) => /(Error|Exception|error:|refused|Traceback)/.test(l) && !/^\s*File "/.test(l));
  return (err ?? own[own.length - 1])?.trim().slice(0, 500);
}
