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
