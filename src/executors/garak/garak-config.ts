import { JobRecord } from '../../domain/types';
import { openAiBase } from '../backend-run';

// The garak run configuration for one benchmark (notes/guidellm-garak.md §2.1). Everything goes
// into one config file (`garak --config <file>`); it is written as JSON, which is valid YAML.

/** One `run.spec` selector: a plugin name (`probes.dan.Dan_11_0`) or a single-key map ({tag}, {tier}, {intent}). */
export type SpecItem = string | { tag: string } | { tier: number } | { intent: string };

/**
 * The probe set of each catalog benchmark (config/providers/garak.yaml), in garak's tag form so a
 * newer garak's probes join automatically. Taken from the TrustyAI garak provider's definitions;
 * its `intents` probes (spo.SPOIntent*, TAPIntent) do not exist in garak 0.17.1, so `intents` runs
 * the one intent-aware probe there is over the default intent scope S.
 */
export const BENCHMARK_PROBES: Record<string, SpecItem[]> = {
  quick: ['probes.dan.Dan_11_0'],
  owasp_llm_top10: [{ tag: 'owasp:llm' }],
  avid: [{ tag: 'avid-effect' }],
  avid_security: [{ tag: 'avid-effect:security' }],
  avid_ethics: [{ tag: 'avid-effect:ethics' }],
  avid_performance: [{ tag: 'avid-effect:performance' }],
  quality: [{ tag: 'quality' }],
  cwe: [{ tag: 'cwe' }],
  intents: ['probes.grandma.GrandmaIntent', { intent: 'S' }],
};

/**
 * Probes that cannot work without the internet (§2.3): they need a Hub model or dataset, a
 * tiktoken or NLTK download, and either crash the run, end it early ("No detectors, nothing to
 * do") or evaluate nothing. Always excluded; a tenant whose workers reach the Hub can lift this
 * with garak_config.run.spec.exclude.
 */
export const OFFLINE_EXCLUDE = [
  'probes.atkgen.Tox',
  'probes.realtoxicityprompts',
  'probes.lmrc.Bullying',
  'probes.sysprompt_extraction.SystemPromptExtraction',
  'probes.divergence.RepeatedToken',
  'probes.sata.MLM',
  'probes.packagehallucination',
  'probes.topic.WordnetControversial',
];

/** The file prefix garak's outputs get in the run folder (<prefix>.report.jsonl, .hitlog.jsonl, .report.html). */
export const REPORT_PREFIX = 'garak';

/** Model parameters that are generation settings of garak's OpenAI-compatible generator. */
const GENERATOR_PARAMS = ['temperature', 'top_p', 'max_tokens', 'frequency_penalty', 'presence_penalty'];

/**
 * Config paths garak_config must not set. The target and its URI are the job's model: a tenant
 * must not point a run (and the model API key it carries) at another endpoint, nor make a report
 * about one model come from another. The report folder and prefix are where EvalHub collects the
 * results: moving them would write outside the run folder and leave the job without results.
 * The key itself only comes from model.auth.secret_ref, through the environment, so it never lands
 * in the config echoed into report.jsonl.
 */
const PROTECTED: string[][] = [
  ['plugins', 'target_type'],
  ['plugins', 'target_name'],
  ['plugins', 'model_type'],
  ['plugins', 'model_name'],
  ['plugins', 'generators', 'openai', 'OpenAICompatible', 'name'],
  ['reporting', 'report_dir'],
  ['reporting', 'report_prefix'],
];
/** Generator options that pick the endpoint or the key: refused at any depth under plugins.generators. */
const PROTECTED_GENERATOR_KEYS = ['uri', 'api_key', 'key_env_var'];

export class GarakParameterError extends Error {}

export interface GarakConfigResult {
  config: Record<string, unknown>;
  /** What the run selects, for the log and additional_info. */
  include: SpecItem[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Objects merge key by key; anything else (arrays too) replaces. */
export function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

function findKey(v: unknown, keys: string[], at: string[] = []): string[] | undefined {
  if (!isObj(v)) return undefined;
  for (const [k, sub] of Object.entries(v)) {
    if (keys.includes(k)) return [...at, k];
    const found = findKey(sub, keys, [...at, k]);
    if (found) return found;
  }
  return undefined;
}

function has(o: Obj, p: string[]): boolean {
  let cur: unknown = o;
  for (const k of p) {
    if (!isObj(cur) || !(k in cur)) return false;
    cur = cur[k];
  }
  return true;
}

function setPath(o: Obj, p: string[], value: unknown): void {
  let cur = o;
  for (const k of p.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Obj;
  }
  cur[p[p.length - 1]] = value;
}

function posInt(params: Obj, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = params[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) throw new GarakParameterError(`parameters.${name} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

const PROBE_NAME = /^(probes\.)?[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/;

/** `probes`: "dan.Dan_11_0,encoding" or a list; each a probe module or module.Class, `probes.` optional. */
export function parseProbes(v: unknown): string[] {
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : undefined;
  if (!items) throw new GarakParameterError(`parameters.probes must be a comma-separated string or a list of probe names, got ${JSON.stringify(v)}`);
  const names = items.map((p) => (typeof p === 'string' ? p.trim() : p)).filter((p) => p !== '');
  if (!names.length) throw new GarakParameterError('parameters.probes names no probe');
  for (const p of names) {
    if (typeof p !== 'string' || !PROBE_NAME.test(p)) throw new GarakParameterError(`parameters.probes: ${JSON.stringify(p)} is not a probe name (module or module.Class, e.g. dan.Dan_11_0)`);
  }
  return (names as string[]).map((p) => (p.startsWith('probes.') ? p : `probes.${p}`));
}

/**
 * The garak config for benchmark `index` of the job: its probe set (or `probes`), the job's model
 * as an OpenAI-compatible target, outputs into `reportDir` (absolute), then `garak_config` merged in.
 */
export function buildGarakConfig(job: JobRecord, index: number, reportDir: string): GarakConfigResult {
  const bench = job.benchmarks[index];
  const params = (bench.parameters ?? {}) as Obj;
  const model = job.config.model;
  if (!model.url) throw new GarakParameterError('model.url is required: garak needs an OpenAI-compatible endpoint');

  let include: SpecItem[];
  if (params.probes !== undefined && params.probes !== null) include = parseProbes(params.probes);
  else if (BENCHMARK_PROBES[bench.id]) include = BENCHMARK_PROBES[bench.id];
  else throw new GarakParameterError(`benchmark '${bench.id}' has no garak probe set: give parameters.probes (e.g. "dan.Dan_11_0,encoding.InjectBase64")`);

  const generations = posInt(params, 'generations', 100) ?? 1;
  const parallel = posInt(params, 'parallel_attempts', 500);
  const cap = posInt(params, 'max_prompts') ?? posInt(params, 'num_examples');
  const seed = params.seed === undefined || params.seed === null ? 0 : Number(params.seed);
  if (!Number.isInteger(seed)) throw new GarakParameterError(`parameters.seed must be an integer, got ${JSON.stringify(params.seed)}`);
  // Every run gets its own empty garak cache folder already, so there is no cache to disable;
  // the parameter is accepted (the TrustyAI provider has it) and only type-checked.
  if (params.disable_cache !== undefined && typeof params.disable_cache !== 'boolean') throw new GarakParameterError(`parameters.disable_cache must be true or false, got ${JSON.stringify(params.disable_cache)}`);
  const extra = params.garak_config;
  if (extra !== undefined && extra !== null && !isObj(extra)) throw new GarakParameterError('parameters.garak_config must be an object (a garak config: system, run, plugins, reporting)');
  const generatorKey = isObj(extra) && isObj(extra.plugins) ? findKey(extra.plugins.generators, PROTECTED_GENERATOR_KEYS, ['plugins', 'generators']) : undefined;
  for (const p of [...PROTECTED, ...(generatorKey ? [generatorKey] : [])]) {
    if (isObj(extra) && has(extra, p)) throw new GarakParameterError(`parameters.garak_config.${p.join('.')} cannot be set: the target, its URI and key, and the report folder are EvalHub's`);
  }

  const generator: Obj = { uri: `${openAiBase(model.url)}/` };
  for (const k of GENERATOR_PARAMS) if (isObj(model.parameters) && model.parameters[k] !== undefined) generator[k] = model.parameters[k];

  const base: Obj = {
    system: { lite: true, show_z: false, ...(parallel && parallel > 1 ? { parallel_attempts: parallel } : {}) },
    run: {
      generations,
      seed,
      ...(cap ? { soft_probe_prompt_cap: cap } : {}),
      ...(bench.id === 'intents' && params.probes === undefined ? { serve_detectorless_intents: false } : {}),
      spec: { include, exclude: OFFLINE_EXCLUDE },
    },
    plugins: {
      target_type: 'openai.OpenAICompatible',
      target_name: model.name,
      generators: { openai: { OpenAICompatible: generator } },
    },
    reporting: { report_dir: reportDir, report_prefix: REPORT_PREFIX },
  };
  const merged = isObj(extra) ? deepMerge(base, extra) : base;
  // Set once more after the merge: nothing in garak_config decides where the run goes or writes.
  setPath(merged, ['plugins', 'target_type'], 'openai.OpenAICompatible');
  setPath(merged, ['plugins', 'target_name'], model.name);
  setPath(merged, ['plugins', 'generators', 'openai', 'OpenAICompatible', 'uri'], generator.uri);
  setPath(merged, ['reporting', 'report_dir'], reportDir);
  setPath(merged, ['reporting', 'report_prefix'], REPORT_PREFIX);
  const spec = isObj(merged.run) && isObj(merged.run.spec) ? merged.run.spec : undefined;
  return { config: merged, include: Array.isArray(spec?.include) ? (spec.include as SpecItem[]) : include };
}
