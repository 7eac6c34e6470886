import { CliEnv, getJson, sseEvents } from './client';

// What each `evalhub` command does; each returns the process exit code.

interface GateEvaluation {
  decision: 'GO' | 'NO-GO' | 'INCONCLUSIVE';
  gate: { name: string };
  job: { id: string; name: string };
  rules: { decision: string; reason: string }[];
}

/** Exit codes a CI pipeline can branch on. */
export const GATE_EXIT = { GO: 0, 'NO-GO': 1, INCONCLUSIVE: 2 } as const;

export async function gate(env: CliEnv, out: (s: string) => void, jobId: string, gateId: string): Promise<number> {
  const r = await getJson<GateEvaluation>(env, `/api/v1/evaluations/jobs/${encodeURIComponent(jobId)}/gate/${encodeURIComponent(gateId)}`);
  out(`${r.decision}  gate "${r.gate.name}" on job ${r.job.name} (${r.job.id})`);
  for (const rule of r.rules) out(`  ${rule.decision.padEnd(12)} ${rule.reason}`);
  return GATE_EXIT[r.decision];
}

interface Comparison {
  comparisons: {
    candidate: { id: string; name: string };
    benchmarks: { id: string; outcome: string; adjusted_p_value?: number; metrics: { metric: string; primary: boolean; baseline: number; candidate: number; difference: number }[] }[];
    summary: Record<string, number>;
  }[];
}

export async function compare(env: CliEnv, out: (s: string) => void, baseline: string, candidates: string[]): Promise<number> {
  const q = [`baseline=${encodeURIComponent(baseline)}`, ...candidates.map((c) => `candidate=${encodeURIComponent(c)}`)].join('&');
  const r = await getJson<Comparison>(env, `/api/v1/evaluations/jobs/compare?${q}`);
  let regressed = 0;
  for (const c of r.comparisons) {
    out(`${c.candidate.name} (${c.candidate.id}): ${c.summary.improved} improved, ${c.summary.regressed} regressed, ${c.summary.no_significant_change} unchanged, ${c.summary.not_tested} not tested (Holm, α = 0.05)`);
    for (const b of c.benchmarks) {
      const m = b.metrics.find((x) => x.primary) ?? b.metrics[0];
      if (m) out(`  ${b.outcome.padEnd(22)} ${b.id} ${m.metric}: ${m.baseline.toFixed(4)} → ${m.candidate.toFixed(4)} (${m.difference >= 0 ? '+' : ''}${m.difference.toFixed(4)}${b.adjusted_p_value !== undefined ? `, p = ${b.adjusted_p_value.toPrecision(2)}` : ''})`);
    }
    regressed += c.summary.regressed;
  }
  return regressed > 0 ? 1 : 0;
}

interface Snapshot {
  state: string;
  percent?: number;
  benchmarks?: { id: string; status: string; phase?: string; progress?: number; eta_seconds?: number }[];
}

/** Follows a job's stream to its end: one line per change; 0 when it completed. */
export async function watch(env: CliEnv, out: (s: string) => void, jobId: string): Promise<number> {
  let last = '';
  let final: Snapshot | undefined;
  for await (const e of sseEvents(env, `/api/v1/evaluations/jobs/${encodeURIComponent(jobId)}/stream`)) {
    if (e.event === 'deleted') {
      out('the job was deleted');
      return 1;
    }
    const s = e.data as Snapshot;
    const line = `${s.state.padEnd(16)} ${String(s.percent ?? 0).padStart(3)}%  ${(s.benchmarks ?? [])
      .map((b) => `${b.id} ${b.phase ?? b.status}${typeof b.progress === 'number' ? ` ${Math.round(b.progress * 100)}%` : ''}${b.eta_seconds !== undefined ? ` eta ${b.eta_seconds}s` : ''}`)
      .join(', ')}`;
    if (line !== last) out(line);
    last = line;
    if (e.event === 'result') final = s;
  }
  return final?.state === 'completed' ? 0 : 1;
}
