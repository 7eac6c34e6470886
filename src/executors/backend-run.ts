import * as fs from 'fs';
import * as path from 'path';
import { environmentState } from '../core/runtime/backend-environments';
import { CountUnit, JobPhase, MessageInfo } from '../domain/types';
import { RunContext, RunOutcome, UnitEvent } from './executor.interface';
import { backendEnv } from './process-env';
import { runInGroup } from './process-group';
import { handOver, runUser } from './run-as';

// What every native backend executor (lm-eval, GuideLLM, garak, Lighteval, RAGAS) does the same
// way: find its environment, run the tool offline in its own process group, report progress at a
// sane rate, and turn a failed exit into a message that says what failed.

const PROGRESS_EVERY_MS = 1000;

/** A program in the backend's environment, or undefined after failing the unit with the setup command. */
export async function toolPath(ctx: RunContext, env: string, program: string): Promise<string | undefined> {
  const state = environmentState(ctx.cfg, env);
  const bin = path.join(state.path, 'bin', program);
  if (state.ready && fs.existsSync(bin)) return bin;
  const message = `${program} cannot run: ${state.reason ?? `${bin} is missing`}`;
  ctx.logs.line(`[evalhub] ${message}`);
  await failAll(ctx, { message, message_code: 'backend_not_installed', message_origin: 'runtime' });
  return undefined;
}

/** A benchmark that ends failed for a reason the executor can name (a remote service's refusal, a bad setting). */
export class BenchmarkFailure extends Error {
  constructor(readonly info: MessageInfo) {
    super(info.message);
  }
}

export function benchmarkFailure(message: string, message_code: string): BenchmarkFailure {
  return new BenchmarkFailure({ message, message_code, message_origin: 'runtime' });
}

export async function failAll(ctx: RunContext, message: MessageInfo, indexes = ctx.indexes): Promise<void> {
  for (const i of indexes) await ctx.report(i, { status: 'failed', error_message: message });
}

/**
 * The switches that keep Hugging Face libraries, LiteLLM and RAGAS from reaching the internet
 * (backends.md §5.4). HF_HOME is the operator's (a pre-filled cache) or one per run. An operator
 * whose workers may use the Hub says so with HF_HUB_OFFLINE=0 in the worker's environment.
 */
export function offlineEnv(workDir: string, inherited: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const hub: Record<string, string> = inherited.HF_HUB_OFFLINE === '0' ? {} : { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };
  return {
    ...hub,
    HF_HUB_DISABLE_TELEMETRY: '1',
    HF_HOME: inherited.HF_HOME || path.join(workDir, 'hf-home'),
    LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    RAGAS_DO_NOT_TRACK: 'true',
    TOKENIZERS_PARALLELISM: 'false',
    PYTHONUNBUFFERED: '1',
    XDG_DATA_HOME: path.join(workDir, 'xdg-data'),
  };
}

/** What a tool's output said about how far it is: a phase, and a count where it gives one. */
export interface ToolProgress {
  phase: JobPhase;
  done?: number;
  total?: number;
}

export type ProgressSink = (p: ToolProgress) => void;

/**
 * Reports phase, progress (0–1), count and ETA for every benchmark of the unit: a phase change at
 * once, counts at most once a second, and the latest count a second after the last report when
 * output pauses (so a quiet tool never shows a stale figure). Progress never goes back within a
 * run (lm-eval restarts its bar per request type); evaluation starts at 0, not "unknown".
 */
export function progressReporter(ctx: RunContext, unit: CountUnit, indexes = ctx.indexes): ProgressSink {
  let current: UnitEvent | undefined;
  let sent: string | undefined;
  let sentAt = 0;
  let trailing: NodeJS.Timeout | undefined;
  let rateFrom: { at: number; share: number } | undefined;
  const send = () => {
    trailing = undefined;
    if (!current || ctx.signal.aborted) return;
    const key = JSON.stringify({ ...current, eta_seconds: undefined });
    if (key === sent) return;
    sent = key;
    sentAt = Date.now();
    // Progress is a hint: a lost update is superseded by the next one or by the result.
    for (const i of indexes) void ctx.report(i, { ...current }).catch(() => undefined);
  };
  return ({ phase, done, total }) => {
    const now = Date.now();
    const before = current;
    let share = before?.progress;
    let count = before?.total_count !== undefined ? { completed_count: before.completed_count, total_count: before.total_count, count_unit: unit } : {};
    if (total !== undefined && total > 0 && done !== undefined && Math.min(1, done / total) >= (share ?? 0)) {
      share = Math.min(1, done / total);
      count = { completed_count: done, total_count: total, count_unit: unit };
    }
    if (phase === 'running_evaluation' && share === undefined) share = 0;
    // The rate is measured from the start of evaluation (loading time would skew it).
    if (!rateFrom && share !== undefined) rateFrom = { at: now, share };
    const elapsed = rateFrom ? (now - rateFrom.at) / 1000 : 0;
    const gained = share !== undefined && rateFrom ? share - rateFrom.share : 0;
    const eta = gained > 0 && elapsed >= 1 && share! < 1 ? Math.round(((1 - share!) * elapsed) / gained) : undefined;
    current = {
      status: 'running',
      phase,
      progress: share,
      ...count,
      eta_seconds: eta,
    };
    if (before?.phase !== phase || now - sentAt >= PROGRESS_EVERY_MS || share === 1) {
      clearTimeout(trailing);
      return send();
    }
    if (trailing) return;
    trailing = setTimeout(send, PROGRESS_EVERY_MS - (now - sentAt));
    trailing.unref();
  };
}

export interface ToolInvocation {
  bin: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** The run's own folder: given to the run user (when the worker is root) and used as its HOME. */
  runDir: string;
  onLine?: (line: string) => void;
}

/**
 * Runs the tool in its own process group under the unit's cancel/timeout signal, output into the
 * job log; as the unprivileged run user when the worker is root, owning only its run folder.
 */
export function runTool(ctx: RunContext, inv: ToolInvocation): Promise<RunOutcome> {
  const runAs = runUser(ctx.cfg);
  if (runAs) handOver(inv.runDir, ctx.cfg.dataDir, runAs);
  ctx.logs.line(`[evalhub] ${runAs ? `(as ${runAs.user}) ` : ''}${inv.bin} ${inv.args.join(' ')}`);
  return runInGroup(inv.bin, inv.args, {
    env: backendEnv(ctx.cfg, { ...inv.env, ...(runAs ? { HOME: inv.runDir, USER: runAs.user, LOGNAME: runAs.user } : {}), PATH: `${path.dirname(inv.bin)}:${process.env.PATH ?? '/usr/bin:/bin'}` }),
    cwd: inv.cwd,
    logs: ctx.logs,
    signal: ctx.signal,
    runAs,
    onSpawn: (pid) => ctx.recordProcess(pid),
    onLine: inv.onLine,
  });
}

/** The message for a tool that exited badly: how it ended and its most telling output line. */
export function exitMessage(tool: string, outcome: RunOutcome, ctx: RunContext, code: string): MessageInfo {
  const why = lastError(ctx.logs.lastLines(40));
  return {
    message: `${tool} ${outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`}${why ? `: ${why}` : ''}`,
    message_code: code,
    message_origin: 'runtime',
  };
}

/** The most telling line of a failed run: the last exception or error line. */
export function lastError(lines: string[]): string | undefined {
  const own = lines.filter((l) => !l.startsWith('[evalhub]'));
  const err = [...own].reverse().find((l) => /(Error|Exception|error:|refused|Traceback|[Ff]ailed)/.test(l) && !/^\s*File "/.test(l) && !/^Traceback \(most recent/.test(l));
  return (err ?? own[own.length - 1])?.trim().slice(0, 500);
}

/** The newest file matching `re` anywhere under dir (tools nest their output by model name, time …). */
export function newestFile(dir: string, re: RegExp): string | undefined {
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

/** The OpenAI-compatible base URL (…/v1) of the job's model, whatever endpoint path it was given as. */
export function openAiBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/(chat\/)?completions$/, '');
}

/** The benchmark's folder for this attempt, emptied: a retried unit never reads an earlier attempt's output. */
export function freshRunDir(ctx: RunContext, index: number): string {
  const dir = path.join(ctx.workDir(index), `run-${ctx.attempt}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** What a unit ends with when its tool never started. */
export const NOT_STARTED: RunOutcome = { exitCode: null, signal: null };

/**
 * Runs a one-benchmark-per-process backend over the unit's benchmarks in turn (until cancelled);
 * the unit's outcome is the last process's.
 */
export async function eachBenchmark(ctx: RunContext, runOne: (index: number) => Promise<RunOutcome | undefined>): Promise<RunOutcome> {
  const outcome: RunOutcome = { exitCode: null, signal: null };
  for (const index of ctx.indexes) {
    if (ctx.signal.aborted) break;
    const r = await runOne(index);
    if (r) Object.assign(outcome, r);
  }
  return outcome;
}
