// A job request as a curl command and as Python with the official SDK (eval-hub-sdk), the way
// README.md shows them. The token is never printed: it comes from $EVALHUB_TOKEN.
import type { JobSubmission } from '../api/types';

export interface SnippetContext {
  baseUrl: string;
  hasToken: boolean;
  tenant: string;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function curlSnippet(body: JobSubmission, ctx: SnippetContext): string {
  const lines = [`curl -s -X POST ${shellQuote(`${ctx.baseUrl}/api/v1/evaluations/jobs`)}`, `  -H 'content-type: application/json'`];
  if (ctx.hasToken) lines.push(`  -H "Authorization: Bearer $EVALHUB_TOKEN"`);
  if (ctx.tenant) lines.push(`  -H ${shellQuote(`X-Tenant: ${ctx.tenant}`)}`);
  lines.push(`  -d ${shellQuote(JSON.stringify(body, null, 2))}`);
  return lines.join(' \\\n');
}

/** A Python literal for JSON data (dicts, lists, True/False/None). */
export function py(v: unknown, indent = 0): string {
  const pad = '    '.repeat(indent + 1);
  const end = '    '.repeat(indent);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => pad + py(x, indent + 1)).join(',\n')},\n${end}]` : '[]';
  const entries = Object.entries(v as Record<string, unknown>);
  return entries.length ? `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${py(x, indent + 1)}`).join(',\n')},\n${end}}` : '{}';
}

function kwargs(obj: Record<string, unknown>, indent: number, render: (k: string, v: unknown) => string = (_k, v) => py(v, indent)): string {
  const pad = '    '.repeat(indent);
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${pad}${k}=${render(k, v)},`)
    .join('\n');
}

// The fields the SDK's JobSubmissionRequest models; pydantic would silently drop anything else.
const SDK_JOB_FIELDS = new Set(['name', 'description', 'tags', 'model', 'benchmarks', 'collection', 'experiment', 'exports', 'queue']);
const SDK_BENCHMARK_FIELDS = new Set(['id', 'provider_id', 'parameters', 'primary_score', 'pass_criteria', 'test_data_ref']);

function clientLine(ctx: SnippetContext): string {
  const args = [`base_url=${JSON.stringify(ctx.baseUrl)}`];
  if (ctx.hasToken) args.push('auth_token=os.environ["EVALHUB_TOKEN"]');
  if (ctx.tenant) args.push(`tenant=${JSON.stringify(ctx.tenant)}`);
  return `client = SyncEvalHubClient(${args.join(', ')})`;
}

export function pythonSnippet(body: JobSubmission, ctx: SnippetContext): string {
  const b = body as Record<string, unknown>;
  const unsupported = Object.keys(b).filter((k) => !SDK_JOB_FIELDS.has(k));
  const benchUnsupported = ((b.benchmarks as Record<string, unknown>[] | undefined) ?? []).some((x) => Object.keys(x).some((k) => !SDK_BENCHMARK_FIELDS.has(k)));
  if (unsupported.length || benchUnsupported) {
    // e.g. risk_category: not in the SDK's model, so the request goes out as JSON.
    return [
      `# eval-hub-sdk's JobSubmissionRequest has no ${unsupported.length ? unsupported.join(', ') : 'field for every benchmark setting'}: send the JSON as is.`,
      'import os',
      'import httpx',
      '',
      `headers = {${[ctx.hasToken ? '"Authorization": f"Bearer {os.environ[\'EVALHUB_TOKEN\']}"' : '', ctx.tenant ? `"X-Tenant": ${JSON.stringify(ctx.tenant)}` : ''].filter(Boolean).join(', ')}}`,
      `job = httpx.post(${JSON.stringify(`${ctx.baseUrl}/api/v1/evaluations/jobs`)}, headers=headers, json=${py(body)}).json()`,
      'print(job["resource"]["id"], job["status"]["state"])',
    ].join('\n');
  }
  const imports = new Set(['JobSubmissionRequest', 'ModelConfig']);
  const model = b.model as Record<string, unknown>;
  const modelArgs = kwargs({ url: model.url, name: model.name, auth: model.auth ? '__AUTH__' : undefined }, 2, (k, v) => {
    if (k === 'auth') {
      imports.add('ModelAuth');
      return `ModelAuth(secret_ref=${JSON.stringify((model.auth as { secret_ref: string }).secret_ref)})`;
    }
    return py(v, 2);
  });
  const parts: string[] = [];
  for (const [k, v] of Object.entries(b)) {
    if (k === 'model') parts.push(`    model=ModelConfig(\n${modelArgs}\n    ),`);
    else if (k === 'benchmarks') {
      imports.add('BenchmarkConfig');
      const list = (v as Record<string, unknown>[]).map((x) => `        BenchmarkConfig(${Object.entries(x).map(([bk, bv]) => `${bk}=${py(bv, 2)}`).join(', ')}),`);
      parts.push(`    benchmarks=[\n${list.join('\n')}\n    ],`);
    } else if (k === 'collection') {
      imports.add('CollectionRef');
      parts.push(`    collection=CollectionRef(id=${JSON.stringify((v as { id: string }).id)}),`);
    } else if (k === 'experiment') {
      imports.add('ExperimentConfig');
      parts.push(`    experiment=ExperimentConfig(name=${JSON.stringify((v as { name: string }).name)}),`);
    } else parts.push(`    ${k}=${py(v, 1)},`);
  }
  return [
    ...(ctx.hasToken ? ['import os', ''] : []),
    'from evalhub.client import SyncEvalHubClient',
    `from evalhub.models.api import ${[...imports].sort().join(', ')}`,
    '',
    clientLine(ctx),
    'job = client.jobs.submit(JobSubmissionRequest(',
    ...parts,
    '))',
    'done = client.jobs.wait_for_completion(job.resource.id, timeout=3600, poll_interval=5)',
    'print(done.state, done.results)',
  ].join('\n');
}
