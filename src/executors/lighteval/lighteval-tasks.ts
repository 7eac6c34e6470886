/**
 * How catalog benchmarks become Lighteval 0.13 task specs (`task|fewshot`). Most ids are
 * Lighteval task names already; the suite ids of the catalog name several tasks. Lighteval's
 * LiteLLM backend cannot score log-likelihoods, so tasks that need them are refused with a
 * pointer to lm-eval, which can (through /v1/completions with echo + logprobs).
 */
const SUITES: Record<string, string[]> = {
  commonsense_reasoning: ['hellaswag', 'piqa'],
  scientific_reasoning: ['openbookqa'],
  physical_commonsense: ['piqa'],
  truthfulness: ['truthfulqa:gen'],
  knowledge: ['mmlu', 'triviaqa'],
  language_understanding: ['glue:cola', 'glue:sst2', 'glue:mrpc'],
};

const NEEDS_LOGPROBS = new Set(['winogrande', 'arc:easy', 'arc:challenge', 'truthfulqa:mc', 'glue:cola', 'glue:sst2', 'glue:mrpc']);

export interface TaskPlan {
  /** The task names, without few-shot count. */
  tasks: string[];
  /** The `--tasks` argument: `task|k,task|k`. */
  spec: string;
}

/**
 * The tasks one benchmark runs; `tasks` (parameter) overrides the id, a comma list or one name.
 * `metricParams` set parametrizable metrics (pass@k's k and n) as Lighteval's `task@k=1@n=3|0`.
 */
export function lightevalTasks(benchmarkId: string, fewShot: number, override?: unknown, metricParams: Record<string, number> = {}): TaskPlan | { error: string } {
  const names = typeof override === 'string' && override.trim() ? override.split(',').map((t) => t.trim()).filter(Boolean) : (SUITES[benchmarkId] ?? [benchmarkId]);
  const bad = names.filter((t) => NEEDS_LOGPROBS.has(t.split('|')[0]));
  if (bad.length) {
    return {
      error: `Lighteval's OpenAI-compatible backend (LiteLLM) cannot score log-likelihoods, which ${bad.join(', ')} need${bad.length === 1 ? 's' : ''}; run ${bad.length === 1 ? 'it' : 'them'} with the lm_evaluation_harness provider instead`,
    };
  }
  const tasks = names.map((t) => t.split('|')[0]);
  // A name given with its own few-shot count keeps it.
  const suffix = Object.entries(metricParams)
    .map(([k, v]) => `@${k}=${v}`)
    .join('');
  const spec = names.map((t) => (t.includes('|') ? t.replace('|', `${suffix}|`) : `${t}${suffix}|${fewShot}`)).join(',');
  return { tasks, spec };
}
