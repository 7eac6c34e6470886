import { CandidateComparison } from './comparison';
import { normalInterval, verdict } from './statistics';
import { effectivePrimaryScore } from './scoring';
import { JobRecord, Resource, Verdict } from './types';

// Release gates: named rule sets a job is held against. Each rule gives GO, NO-GO or
// INCONCLUSIVE with its reason, from the score's 95% interval (not only the point value); the gate
// is NO-GO when any rule is, INCONCLUSIVE when any rule cannot tell, GO otherwise.

export type GateDecision = 'GO' | 'NO-GO' | 'INCONCLUSIVE';

export interface GateRule {
  /** The benchmark the rule is about; without it, the job's weighted score. */
  benchmark?: { provider_id: string; id: string };
  /** The score (its whole interval) must reach this … */
  min_score?: number;
  /** … or stay at or below this (for lower-is-better scores such as attack success). */
  max_score?: number;
  /** The largest drop of the score allowed against a baseline job (in score units, ≥ 0). */
  max_regression?: number;
  /** The baseline of max_regression: this job, or else the latest passing job of the same model name. */
  baseline_job_id?: string;
}

export interface GateConfig {
  name: string;
  description?: string;
  rules: GateRule[];
}

export interface GateRecord extends GateConfig {
  resource: Resource;
}

export interface RuleOutcome {
  rule: GateRule;
  decision: GateDecision;
  reason: string;
}

export interface GateEvaluation {
  gate: { id: string; name: string };
  job: { id: string; name: string; model: string };
  decision: GateDecision;
  rules: RuleOutcome[];
}

/** One message per rule that cannot be evaluated as written. */
export function gateErrors(config: GateConfig): string[] {
  const errors: string[] = [];
  if (!Array.isArray(config.rules) || config.rules.length === 0) return ['rules must list at least one rule'];
  config.rules.forEach((r, i) => {
    const where = `rules[${i}]`;
    const checks = [r.min_score, r.max_score, r.max_regression].filter((v) => v !== undefined);
    if (checks.length !== 1) errors.push(`${where} must set exactly one of min_score, max_score, max_regression`);
    for (const [k, v] of Object.entries({ min_score: r.min_score, max_score: r.max_score, max_regression: r.max_regression })) {
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) errors.push(`${where}.${k} must be a number`);
    }
    if (r.max_regression !== undefined && r.max_regression < 0) errors.push(`${where}.max_regression must be at least 0`);
    if (r.baseline_job_id !== undefined && r.max_regression === undefined) errors.push(`${where}.baseline_job_id only goes with max_regression`);
  });
  return errors;
}

const DECISION: Record<Verdict, GateDecision> = { pass: 'GO', fail: 'NO-GO', inconclusive: 'INCONCLUSIVE' };

interface Score {
  value: number;
  stderr?: number;
  interval?: { low: number; high: number };
  lowerIsBetter: boolean;
  label: string;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4).replace(/0+$/, '');
}

function describe(s: Score): string {
  return `${s.label} ${fmt(s.value)}${s.interval ? ` (95% interval ${fmt(s.interval.low)} to ${fmt(s.interval.high)})` : ' (no interval)'}`;
}

/** The score a rule is about, in a job: a completed benchmark's primary score, or the weighted score. */
export function scoreOf(job: JobRecord, rule: GateRule): Score | undefined {
  if (!rule.benchmark) {
    const t = job.results.test;
    if (!t) return undefined;
    return { value: t.score, stderr: t.stderr, interval: t.ci95 ? { low: t.ci95[0], high: t.ci95[1] } : undefined, lowerIsBetter: false, label: 'the weighted score' };
  }
  const index = job.benchmarks.findIndex((b, i) => b.provider_id === rule.benchmark!.provider_id && b.id === rule.benchmark!.id && job.status.benchmarks.some((s) => s.benchmark_index === i && s.status === 'completed'));
  const r = job.results.benchmarks?.find((x) => x.benchmark_index === index);
  if (index < 0 || !r?.test) return undefined;
  const stats = r.statistics?.[r.test.primary_score_metric];
  return {
    value: r.test.primary_score,
    stderr: stats?.stderr,
    interval: stats ? { low: stats.ci95[0], high: stats.ci95[1] } : undefined,
    lowerIsBetter: effectivePrimaryScore(job.benchmarks[index])?.lower_is_better ?? false,
    label: `${rule.benchmark.id} ${r.test.primary_score_metric}`,
  };
}

/**
 * One rule. For max_regression, `baseline` is the baseline job (undefined: none found) and
 * `comparison` the paired comparison of the job against it (benchmark rules).
 */
export function evaluateRule(rule: GateRule, job: JobRecord, baseline?: JobRecord, comparison?: CandidateComparison): RuleOutcome {
  const score = scoreOf(job, rule);
  const what = rule.benchmark ? `${rule.benchmark.provider_id}/${rule.benchmark.id}` : 'the weighted score';
  if (!score) return { rule, decision: 'NO-GO', reason: `${what}: not in this job, or not completed with a score` };
  if (rule.min_score !== undefined || rule.max_score !== undefined) {
    const lower = rule.max_score !== undefined;
    const limit = (lower ? rule.max_score : rule.min_score)!;
    const v = verdict(score.value, score.interval, limit, lower);
    const side = lower ? `at most ${fmt(limit)}` : `at least ${fmt(limit)}`;
    const why = v === 'pass' ? `clears ${side}` : v === 'fail' ? `misses ${side}` : `${side} is inside the interval: more samples are needed to tell`;
    return { rule, decision: DECISION[v], reason: `${describe(score)} ${why}` };
  }
  // max_regression
  const allowed = rule.max_regression!;
  if (!baseline) return { rule, decision: 'INCONCLUSIVE', reason: `${what}: no baseline job to compare with (${rule.baseline_job_id ? `job ${rule.baseline_job_id} has no such score` : `no earlier passing job of model '${job.config.model.name}'`})` };
  const base = scoreOf(baseline, rule);
  if (!base) return { rule, decision: 'INCONCLUSIVE', reason: `${what}: the baseline job ${baseline.resource.id} has no such score` };
  // The change of the score (candidate − baseline) and its interval: paired where the runs allow.
  let change = score.value - base.value;
  let interval: { low: number; high: number } | undefined;
  let how = 'unpaired';
  const paired = rule.benchmark && comparison?.benchmarks.find((b) => b.provider_id === rule.benchmark!.provider_id && b.id === rule.benchmark!.id)?.metrics.find((m) => m.primary);
  if (paired?.ci95) {
    change = paired.difference;
    interval = { low: paired.ci95[0], high: paired.ci95[1] };
    how = paired.test === 'unpaired_z' ? 'unpaired' : `paired (${paired.n_paired} samples)`;
  } else if (score.stderr !== undefined && base.stderr !== undefined) {
    interval = normalInterval(change, Math.sqrt(score.stderr ** 2 + base.stderr ** 2));
  }
  // A drop is bad for higher-is-better scores, a rise for lower-is-better ones.
  const worse = (x: number) => (score.lowerIsBetter ? x : -x);
  const lo = interval ? Math.min(worse(interval.low), worse(interval.high)) : worse(change);
  const hi = interval ? Math.max(worse(interval.low), worse(interval.high)) : worse(change);
  const decision: GateDecision = hi <= allowed ? 'GO' : lo > allowed ? 'NO-GO' : 'INCONCLUSIVE';
  const span = interval ? ` (95% interval of the change ${fmt(interval.low)} to ${fmt(interval.high)}, ${how})` : ' (no interval)';
  return {
    rule,
    decision,
    reason: `${score.label} changed by ${fmt(change)} against job ${baseline.resource.id}${span}; allowed regression ${fmt(allowed)}${decision === 'INCONCLUSIVE' ? ': the interval straddles it' : ''}`,
  };
}

export function gateDecision(outcomes: readonly RuleOutcome[]): GateDecision {
  if (outcomes.some((o) => o.decision === 'NO-GO')) return 'NO-GO';
  if (outcomes.some((o) => o.decision === 'INCONCLUSIVE')) return 'INCONCLUSIVE';
  return 'GO';
}

/** The latest completed, passing job of the same model name created before `job` (the default baseline). */
export function latestPassingBaseline(job: JobRecord, candidates: readonly JobRecord[]): JobRecord | undefined {
  const at = (j: JobRecord) => j.resource.created_at ?? '';
  return candidates
    .filter((j) => j.resource.id !== job.resource.id && j.config.model.name === job.config.model.name && j.status.state === 'completed' && j.results.test?.pass === true && at(j) < at(job))
    .sort((a, b) => at(b).localeCompare(at(a)))[0];
}
