import { EvalHubClient } from '../sdk/client';
import type { Job, JobStreamSnapshot, JobSubmission } from '../sdk/models';
import { jobExitCode, progressBlock, progressLine, resultsCsv, resultsTable } from './job-view';
import { formatNumber, paint, stateColour, Style, table } from './render';

// What each `evalhub` command does; each returns the process exit code:
// 0 success, 1 the job failed or did not pass (NO-GO for gates), 2 INCONCLUSIVE, 3 could not ask, 64 usage.

export interface Io {
  out(line: string): void;
  /** Raw output (cursor movement for live views). */
  write(text: string): void;
  /** A terminal that can redraw (not a pipe or a file). */
  tty: boolean;
  style: Style;
  json: boolean;
}

const json = (io: Io, v: unknown) => io.out(JSON.stringify(v, null, 2));

export async function providers(hub: EvalHubClient, io: Io, o: { targetType?: string; evaluates?: string }): Promise<number> {
  const list = await hub.providers.all(o);
  if (io.json) return json(io, list), 0;
  io.out(
    table(
      ['ID', 'NAME', 'BENCHMARKS', 'RUNNABLE', 'EVALUATES'],
      list.map((p) => {
        const a = (p as { availability?: { runnable?: boolean } }).availability;
        const agent = (p as { agent?: { evaluates?: string[] } }).agent;
        return [p.resource.id, p.name, String(p.benchmarks?.length ?? 0), a ? (a.runnable ? paint(io.style, 'green', 'yes') : paint(io.style, 'red', 'no')) : '', (agent?.evaluates ?? []).join(',')];
      }),
    ),
  );
  return 0;
}

export async function benchmarks(hub: EvalHubClient, io: Io, o: { provider?: string; search?: string; category?: string }): Promise<number> {
  const list = await hub.benchmarks.list(o);
  if (io.json) return json(io, list), 0;
  io.out(table(['PROVIDER', 'ID', 'CATEGORY', 'METRIC', 'NAME'], list.map((b) => [b.provider_id, b.id, b.category ?? '', b.primary_score?.metric ?? '', b.name ?? ''])));
  return 0;
}

export async function collections(hub: EvalHubClient, io: Io): Promise<number> {
  const list = await hub.collections.all();
  if (io.json) return json(io, list), 0;
  io.out(table(['ID', 'NAME', 'BENCHMARKS', 'THRESHOLD'], list.map((c) => [c.resource.id, c.name, String(c.benchmarks.length), formatNumber(c.pass_criteria?.threshold)])));
  return 0;
}

export interface RunOptions {
  name?: string;
  modelUrl: string;
  modelName: string;
  benchmark?: string[];
  collection?: string;
  riskCategory?: string;
  param?: string[];
  experiment?: string;
  tag?: string[];
  wait?: boolean;
}

/** `provider/benchmark` or `benchmark@provider` → a benchmark reference. */
export function parseBenchmarkRef(ref: string): { id: string; provider_id: string } {
  const at = ref.lastIndexOf('@');
  if (at > 0) return { id: ref.slice(0, at), provider_id: ref.slice(at + 1) };
  const slash = ref.indexOf('/');
  if (slash > 0) return { provider_id: ref.slice(0, slash), id: ref.slice(slash + 1) };
  throw new UsageError(`--benchmark '${ref}': give it as provider/benchmark (e.g. lm_evaluation_harness/arc_easy)`);
}

/** `k=v` parameters; values that read as JSON (numbers, booleans, lists) are taken as such. */
export function parseParams(list: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of list) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--param '${p}': give it as name=value`);
    const raw = p.slice(i + 1);
    try {
      out[p.slice(0, i)] = JSON.parse(raw);
    } catch {
      out[p.slice(0, i)] = raw;
    }
  }
  return out;
}

export class UsageError extends Error {}

export async function run(hub: EvalHubClient, io: Io, o: RunOptions): Promise<number> {
  const sources = [o.benchmark?.length ? 1 : 0, o.collection ? 1 : 0, o.riskCategory ? 1 : 0].reduce((a, b) => a + b, 0);
  if (sources !== 1) throw new UsageError('give exactly one of --benchmark (repeatable), --collection or --risk-category');
  const parameters = parseParams(o.param);
  const body: Record<string, unknown> = {
    name: o.name ?? `cli-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    model: { url: o.modelUrl, name: o.modelName },
    ...(o.benchmark?.length ? { benchmarks: o.benchmark.map((b) => ({ ...parseBenchmarkRef(b), ...(Object.keys(parameters).length ? { parameters } : {}) })) } : {}),
    ...(o.collection ? { collection: { id: o.collection } } : {}),
    ...(o.riskCategory ? { risk_category: o.riskCategory } : {}),
    ...(o.experiment ? { experiment: { name: o.experiment } } : {}),
    ...(o.tag?.length ? { tags: o.tag } : {}),
  };
  const job = await hub.jobs.submit(body as unknown as JobSubmission);
  if (!o.wait) {
    if (io.json) json(io, job);
    else io.out(job.resource.id);
    return 0;
  }
  if (!io.json) io.out(`submitted ${job.resource.id} (${job.name})`);
  return follow(hub, io, job.resource.id, job.name);
}

export async function watch(hub: EvalHubClient, io: Io, id: string): Promise<number> {
  const job = await hub.jobs.get(id);
  return follow(hub, io, id, job.name);
}

/** Live progress until the job ends, then its results; the exit code says whether it passed. */
async function follow(hub: EvalHubClient, io: Io, id: string, name: string): Promise<number> {
  let drawn = 0;
  let last = '';
  const draw = (s: JobStreamSnapshot) => {
    if (io.json) return;
    if (io.tty) {
      const block = progressBlock(s, io.style, `${name} (${id.slice(0, 8)})`);
      // Back to the top of the previous drawing, clear it, draw again.
      io.write(`${drawn ? `\u001b[${drawn}F\u001b[J` : ''}${block.join('\n')}\n`);
      drawn = block.length;
    } else {
      const line = progressLine(s);
      if (line !== last) io.out(line);
      last = line;
    }
  };
  let deleted = false;
  for await (const e of hub.jobs.watch(id)) {
    if (e.event === 'deleted') {
      deleted = true;
      break;
    }
    if (e.event === 'status' || e.event === 'result') draw(e.data);
  }
  if (deleted) {
    io.out('the job was deleted');
    return 1;
  }
  const job = await hub.jobs.get(id);
  if (io.json) json(io, job);
  else io.out(`\n${resultsTable(job, io.style)}`);
  return jobExitCode(job);
}

export async function status(hub: EvalHubClient, io: Io, id?: string): Promise<number> {
  if (id) {
    const job = await hub.jobs.get(id);
    if (io.json) return json(io, job), 0;
    io.out(progressBlock({ id, state: job.status.state, percent: job.status.percent ?? 0, benchmarks: job.status.benchmarks, message: job.status.message }, io.style, `${job.name} (${id})`).join('\n'));
    if (job.status.message?.message) io.out(paint(io.style, 'dim', job.status.message.message));
    return 0;
  }
  const page = await hub.jobs.list({ limit: 20 });
  if (io.json) return json(io, page.items), 0;
  io.out(table(['ID', 'NAME', 'STATE', 'PERCENT', 'CREATED'], page.items.map((j) => [j.resource.id, j.name, paint(io.style, stateColour(j.status.state), j.status.state), `${j.status.percent ?? 0}%`, j.resource.created_at ?? ''])));
  return 0;
}

export async function results(hub: EvalHubClient, io: Io, id: string, o: { csv?: boolean }): Promise<number> {
  const job: Job = await hub.jobs.get(id);
  if (io.json) json(io, job.results);
  else if (o.csv) io.out(resultsCsv(job));
  else io.out(resultsTable(job, io.style));
  return jobExitCode(job);
}

export async function logs(hub: EvalHubClient, io: Io, id: string, o: { follow?: boolean; tail?: number }): Promise<number> {
  if (!o.follow) {
    io.write(await hub.jobs.logs(id, { tailLines: o.tail ?? -1 }));
    return 0;
  }
  // -f: the job's stream with its log lines, until the job ends.
  for await (const e of hub.jobs.watch(id, { logs: true })) if (e.event === 'log') io.out(e.data.line);
  return 0;
}

export async function cancel(hub: EvalHubClient, io: Io, id: string): Promise<number> {
  await hub.jobs.cancel(id);
  io.out(io.json ? JSON.stringify({ id, cancelled: true }) : `cancelled ${id}`);
  return 0;
}

export async function retry(hub: EvalHubClient, io: Io, id: string, o: { wait?: boolean }): Promise<number> {
  const job = await hub.jobs.retry(id);
  const again = job.status.benchmarks.filter((b) => b.status === 'pending').map((b) => b.id);
  if (!o.wait) {
    io.out(io.json ? JSON.stringify({ id, retrying: again }) : `retrying ${again.join(', ')} of ${id}`);
    return 0;
  }
  if (!io.json) io.out(`retrying ${again.join(', ')} of ${id}`);
  return follow(hub, io, id, job.name);
}

export async function remove(hub: EvalHubClient, io: Io, id: string): Promise<number> {
  await hub.jobs.delete(id);
  io.out(io.json ? JSON.stringify({ id, deleted: true }) : `deleted ${id}`);
  return 0;
}

/** Exit codes a CI pipeline can branch on. */
export const GATE_EXIT = { GO: 0, 'NO-GO': 1, INCONCLUSIVE: 2 } as const;

export async function gate(hub: EvalHubClient, io: Io, jobId: string, gateId: string): Promise<number> {
  const r = await hub.gates.evaluate(jobId, gateId);
  if (io.json) json(io, r);
  else {
    io.out(`${r.decision}  gate "${r.gate.name}" on job ${r.job.name} (${r.job.id})`);
    for (const rule of r.rules) io.out(`  ${rule.decision.padEnd(12)} ${rule.reason}`);
  }
  return GATE_EXIT[r.decision as keyof typeof GATE_EXIT];
}

export async function compare(hub: EvalHubClient, io: Io, baseline: string, candidates: string[]): Promise<number> {
  const r = await hub.compare(baseline, candidates);
  let regressed = 0;
  if (io.json) json(io, r);
  for (const c of r.comparisons) {
    regressed += c.summary.regressed;
    if (io.json) continue;
    io.out(`${c.candidate.name} (${c.candidate.id}): ${c.summary.improved} improved, ${c.summary.regressed} regressed, ${c.summary.no_significant_change} unchanged, ${c.summary.not_tested} not tested (Holm, α = 0.05)`);
    for (const b of c.benchmarks) {
      const m = b.metrics.find((x) => x.primary) ?? b.metrics[0];
      if (m) io.out(`  ${b.outcome.padEnd(22)} ${b.id} ${m.metric}: ${m.baseline.toFixed(4)} → ${m.candidate.toFixed(4)} (${m.difference >= 0 ? '+' : ''}${m.difference.toFixed(4)}${typeof b.adjusted_p_value === 'number' ? `, p = ${b.adjusted_p_value.toPrecision(2)}` : ''})`);
    }
  }
  return regressed > 0 ? 1 : 0;
}
