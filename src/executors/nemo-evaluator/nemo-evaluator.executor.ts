import { Injectable } from '@nestjs/common';
import * as fs from 'fs';
import * as path from 'path';
import { setTimeout as delay_ } from 'timers/promises';
import { NemoContainer, NemoEvaluatorSettings, resolveNemoSettings, retryDelayMs } from '../../domain/nemo-evaluator-settings';
import { BenchmarkFailure, benchmarkFailure, eachBenchmark, failAll } from '../backend-run';
import { Executor, RunContext, RunOutcome } from '../executor.interface';
import { readSecretRef, SecretRefError } from '../model-auth';
import { metricStatistics, SAMPLE_SCORES_ARTIFACT, writeSampleScores } from '../sample-scores';
import { ConnectionError, containerUrl, send } from './nemo-client';
import { safeJson } from '../http-call';
import { buildRequest, byobSampleScores, EvaluateResponse, parseResults, schemaProblem } from './nemo-protocol';

/** How long a health check may take before the container counts as unhealthy. */
const HEALTH_TIMEOUT_MS = 5000;
/** HTTP statuses worth another try: the container (or a proxy before it) is busy or restarting. */
const TRANSIENT = new Set([502, 503, 504]);
const DONE: RunOutcome = { exitCode: 0, signal: null };


const fail = benchmarkFailure;
const start = (text: string, n = 300) => (text.length > n ? `${text.slice(0, n)}…` : text);

/**
 * Runs a benchmark on a remote NeMo Evaluator container (python/evaluator_server, or anything that
 * speaks protocol.schema.json): one POST /evaluate per benchmark, to the least busy healthy
 * container of the provider's list, with retries of connection failures (exponential backoff with
 * jitter), the whole call bounded by timeout_seconds, 4xx answers final.
 */
@Injectable()
export class NemoEvaluatorExecutor implements Executor {
  readonly kind = 'nemo_evaluator' as const;
  /** Evaluations this worker has in flight per container (added to what the container reports). */
  private readonly inFlight = new Map<string, number>();

  run(ctx: RunContext): Promise<RunOutcome> {
    return eachBenchmark(ctx, async (index) => {
      try {
        await this.runOne(ctx, index);
      } catch (e) {
        if (ctx.signal.aborted) return DONE;
        if (!(e instanceof BenchmarkFailure)) throw e;
        ctx.logs.line(`[evalhub] ${e.info.message}`);
        await failAll(ctx, e.info, [index]);
      }
      return DONE;
    });
  }

  private async runOne(ctx: RunContext, index: number): Promise<void> {
    const bench = ctx.job.benchmarks[index];
    const resolved = resolveNemoSettings(ctx.provider?.runtime?.nemo_evaluator, bench.parameters, { benchmarkId: bench.id, modelUrl: ctx.job.config.model.url });
    if (!resolved.settings) throw fail(resolved.errors.join('; '), 'invalid_parameter');
    const s = resolved.settings;
    const apiKey = this.modelKey(ctx, s);
    let token: string | undefined;
    try {
      token = s.auth_token ?? readSecretRef(s.auth_token_secret_ref, ctx.cfg, 'auth_token_secret_ref');
    } catch (e) {
      if (e instanceof SecretRefError) throw fail(e.message, 'secret_ref_unreadable');
      throw e;
    }
    await ctx.report(index, { status: 'running', phase: 'initializing' });
    const container = await this.choose(ctx, s);
    const key = containerUrl(container);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let answer: EvaluateResponse;
    const started = Date.now();
    try {
      ctx.logs.line(`[evalhub] NeMo Evaluator ${s.eval_type} on ${key} (model ${ctx.job.config.model.name} at ${s.model_endpoint}, ${s.endpoint_type})`);
      await ctx.report(index, { status: 'running', phase: 'running_evaluation' });
      answer = await this.evaluate(ctx, container, s, buildRequest(s, ctx.job.config.model.name, apiKey), token);
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    }
    await ctx.report(index, { status: 'running', phase: 'post_processing' });
    const parsed = parseResults(answer.results);
    if (Object.keys(parsed.metrics).length === 0) throw fail(`the NeMo Evaluator container at ${key} answered no scores for ${s.eval_type}`, 'nemo_evaluator_no_results');
    const dir = path.join(ctx.workDir(index), 'nemo-evaluator');
    fs.rmSync(dir, { recursive: true, force: true });
    const artifacts: Record<string, string> = {};
    for (const [name, text] of Object.entries(answer.artifacts)) {
      const rel = path.normalize(name);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue; // names come from the container
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      artifacts[`nemo_evaluator.${rel.replace(/[^A-Za-z0-9_.-]/g, '_')}`] = file;
    }
    const samples = byobSampleScores(answer.artifacts, parsed);
    if (samples.length) artifacts[SAMPLE_SCORES_ARTIFACT] = writeSampleScores(dir, bench.id, samples);
    const statistics = metricStatistics(parsed.metrics, samples);
    for (const [k, st] of Object.entries(statistics)) if (st.n === undefined && parsed.counts[k] !== undefined) st.n = parsed.counts[k];
    await ctx.report(index, {
      status: 'completed',
      metrics: parsed.metrics,
      statistics,
      artifacts,
      additional_info: {
        nemo_evaluator_container: key,
        eval_type: answer.eval_type ?? s.eval_type,
        command: answer.command,
        framework_name: s.framework_name,
        nemo_evaluator_version: answer.nemo_evaluator_version,
        evaluation_seconds: answer.timing.duration_seconds,
        duration_seconds: (Date.now() - started) / 1000,
        ...(answer.omitted?.length ? { artifacts_omitted: answer.omitted } : {}),
      },
      logs_path: ctx.logs.filePath,
    });
  }

  /** The model key: from the worker variable api_key_env names, else model.auth.secret_ref's. */
  private modelKey(ctx: RunContext, s: NemoEvaluatorSettings): string | undefined {
    if (!s.api_key_env) return ctx.modelApiKey;
    const v = process.env[s.api_key_env];
    if (!v) throw fail(`api_key_env names ${s.api_key_env}, which is not set on this worker`, 'secret_ref_unreadable');
    return v;
  }

  /**
   * The container to use: the healthy one with the fewest evaluations running (its own count plus
   * what this worker has just sent), in list order on a tie. A failed health check is a warning;
   * with no healthy container the least busy of all is tried anyway.
   */
  private async choose(ctx: RunContext, s: NemoEvaluatorSettings): Promise<NemoContainer> {
    const checks = await Promise.all(
      s.containers.map(async (c) => {
        try {
          const a = await send(c, 'GET', s.health_check_endpoint, { verifySsl: s.verify_ssl, timeoutMs: Math.min(HEALTH_TIMEOUT_MS, s.timeout_seconds * 1000), signal: ctx.signal });
          const body = a.status === 200 ? safeJson(a.text) : undefined;
          if (a.status !== 200) return { c, healthy: false, why: `answered ${a.status}`, running: 0 };
          const running = body && typeof (body as { running?: unknown }).running === 'number' ? (body as { running: number }).running : 0;
          return { c, healthy: true, why: '', running };
        } catch (e) {
          return { c, healthy: false, why: (e as Error).message, running: 0 };
        }
      }),
    );
    for (const h of checks) if (!h.healthy) ctx.logs.line(`[evalhub] warning: health check of ${containerUrl(h.c, s.health_check_endpoint)} failed (${h.why})${checks.some((x) => x.healthy) ? '; skipping it' : '; trying anyway'}`);
    const pool = checks.some((h) => h.healthy) ? checks.filter((h) => h.healthy) : checks;
    let best = pool[0];
    const load = (h: (typeof pool)[number]) => h.running + (this.inFlight.get(containerUrl(h.c)) ?? 0);
    for (const h of pool) if (load(h) < load(best)) best = h;
    return best.c;
  }

  /** POST /evaluate with the retry rules; the answer checked against the protocol. */
  private async evaluate(ctx: RunContext, c: NemoContainer, s: NemoEvaluatorSettings, request: ReturnType<typeof buildRequest>, token: string | undefined): Promise<EvaluateResponse> {
    const problem = schemaProblem('EvaluateRequest', request);
    if (problem) throw fail(`the request for ${s.eval_type} does not follow the protocol: ${problem}`, 'invalid_parameter');
    const url = containerUrl(c, '/evaluate');
    const deadline = Date.now() + s.timeout_seconds * 1000;
    const attempts = s.max_retries + 1;
    for (let attempt = 1; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) throw fail(`the NeMo Evaluator call to ${url} took longer than timeout_seconds (${s.timeout_seconds} s)`, 'nemo_evaluator_timeout');
      let why: string;
      try {
        const a = await send(c, 'POST', '/evaluate', { body: request, token, verifySsl: s.verify_ssl, timeoutMs: left, signal: ctx.signal });
        if (a.status === 200) return this.parse(url, a.text);
        const err = safeJson(a.text) as { error?: unknown; details?: unknown } | undefined;
        const said = typeof err?.error === 'string' ? err.error : start(a.text);
        if (a.status === 401 || a.status === 403) throw fail(`the NeMo Evaluator container at ${url} refused the bearer token (${a.status}): ${said}`, 'nemo_evaluator_unauthorized');
        if (!TRANSIENT.has(a.status)) {
          const details = typeof err?.details === 'string' && err.details ? `\n${err.details.split('\n').slice(-15).join('\n')}` : '';
          if (details) ctx.logs.line(`[evalhub] the container's output ends:${details}`);
          throw fail(`the NeMo Evaluator container at ${url} answered ${a.status}: ${said}`, a.status >= 500 ? 'nemo_evaluator_failed' : 'nemo_evaluator_rejected');
        }
        why = `HTTP ${a.status}: ${said}`;
      } catch (e) {
        if (e instanceof BenchmarkFailure || ctx.signal.aborted) throw e;
        if (!(e instanceof ConnectionError)) throw fail(`the NeMo Evaluator call to ${url} failed: ${(e as Error).message}`, 'nemo_evaluator_unreachable');
        why = `${e.code}: ${e.message}`;
      }
      if (attempt >= attempts) throw fail(`could not reach the NeMo Evaluator container at ${url} after ${attempts} attempts (max_retries ${s.max_retries}): ${why}`, 'nemo_evaluator_unreachable');
      const delay = Math.min(retryDelayMs(attempt), Math.max(0, deadline - Date.now()));
      ctx.logs.line(`[evalhub] ${new Date().toISOString()} attempt ${attempt} of ${attempts} to ${url} failed (${why}); retrying in ${(delay / 1000).toFixed(1)} s`);
      // The backoff between retries; a cancel ends it at once (and is seen at the next check).
      await delay_(delay, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  }

  private parse(url: string, text: string): EvaluateResponse {
    const body = safeJson(text);
    if (body === undefined) throw fail(`the answer of ${url} is not JSON; it starts: ${start(text)}`, 'nemo_evaluator_bad_response');
    const problem = schemaProblem('EvaluateResponse', body);
    if (problem) throw fail(`the answer of ${url} does not follow the protocol (${problem}); it starts: ${start(text)}`, 'nemo_evaluator_bad_response');
    return body as EvaluateResponse;
  }
}
