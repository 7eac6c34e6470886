/**
 * Checks of the benchmark parameters EvalHub itself interprets (the rest passes through to the
 * backend untouched). num_examples becomes the JobSpec's integer `num_examples` and lm-eval's
 * --limit; the few-shot count becomes --num_fewshot.
 */
export function benchmarkParameterErrors(parameters: unknown, where: string): string[] {
  if (parameters === undefined || parameters === null) return [];
  if (typeof parameters !== 'object' || Array.isArray(parameters)) return [`${where} must be an object`];
  const p = parameters as Record<string, unknown>;
  const errors: string[] = [];
  if (p.num_examples !== undefined && p.num_examples !== null && !(Number.isSafeInteger(p.num_examples) && (p.num_examples as number) >= 1)) {
    errors.push(`${where}.num_examples must be a whole number of at least 1`);
  }
  for (const k of ['num_few_shot', 'num_fewshot']) {
    if (p[k] !== undefined && p[k] !== null && !(Number.isSafeInteger(p[k]) && (p[k] as number) >= 0)) errors.push(`${where}.${k} must be a whole number of at least 0`);
  }
  return errors;
}


/** Levenshtein distance, cut off early once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Parameter names that look like a misspelling of an accepted one (`num_exampels`): an error with
 * "did you mean". Names far from every accepted one are left alone (a backend may take them as
 * task metadata), so only the likely typo is refused.
 */
export function misspelledParameterErrors(parameters: unknown, accepted: readonly string[], where: string): string[] {
  if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters)) return [];
  const errors: string[] = [];
  for (const name of Object.keys(parameters)) {
    if (accepted.includes(name)) continue;
    const close = accepted
      .map((a) => ({ a, d: distance(name.toLowerCase(), a, 2) }))
      .filter(({ a, d }) => d <= Math.min(2, Math.floor(a.length / 4)))
      .sort((x, y) => x.d - y.d);
    if (close.length) errors.push(`${where}.${name} is not a parameter this backend accepts; did you mean '${close[0].a}'? (accepted: ${accepted.join(', ')})`);
  }
  return errors;
}
