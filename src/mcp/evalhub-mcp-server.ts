import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod/v4';
import { EvalHubClient, EvalHubError } from '../sdk/client';
import type { Job, Provider } from '../sdk/models';

// The MCP tools, resources and prompt through which an agent discovers providers, submits
// evaluations and follows them. Every call goes to the EvalHub API with the server's outbound
// credentials; API errors come back as tool errors with their message_code.

type ToolResult = { content: { type: 'text'; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

const ok = (value: object): ToolResult => ({ content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value as Record<string, unknown> });

async function guard(fn: () => Promise<ToolResult>): Promise<ToolResult> {
  try {
    return await fn();
  } catch (e) {
    const text = e instanceof EvalHubError ? `EvalHub answered ${e.message}${e.messageCode ? ` (message_code ${e.messageCode})` : ''}` : `EvalHub call failed: ${(e as Error).message}`;
    return { content: [{ type: 'text', text }], isError: true };
  }
}

/** What an agent needs to choose: the provider's summary and each benchmark's metric and pass mark. */
function providerSummary(p: Provider): Record<string, unknown> {
  const agent = (p as { agent?: Record<string, unknown> }).agent;
  return {
    id: p.resource.id,
    name: p.name,
    description: p.description,
    target_type: agent?.target_type,
    evaluates: agent?.evaluates,
    summary: agent?.summary,
    recommended_when: agent?.recommended_when,
    hints: agent?.hints,
    runnable: (p as { availability?: { runnable?: boolean } }).availability?.runnable,
    benchmarks: (p.benchmarks ?? []).map((b) => ({ id: b.id, name: b.name, category: b.category, metric: b.primary_score?.metric, lower_is_better: b.primary_score?.lower_is_better, threshold: b.pass_criteria?.threshold })),
  };
}

function jobSummary(job: Job): Record<string, unknown> {
  return {
    id: job.resource.id,
    name: job.name,
    state: job.status.state,
    percent: job.status.percent ?? 0,
    message: job.status.message?.message,
    benchmarks: job.status.benchmarks.map((b) => ({ id: b.id, provider_id: b.provider_id, status: b.status, phase: b.phase, progress: b.progress, error: b.error_message?.message })),
  };
}

const benchmarkRef = z.object({ id: z.string().describe('benchmark id'), provider_id: z.string().describe('provider id'), parameters: z.record(z.string(), z.unknown()).optional() });

export function createEvalHubMcpServer(hub: EvalHubClient): McpServer {
  const server = new McpServer({ name: 'evalhub', version: '0.1.0' }, { instructions: 'Discover EvalHub providers and benchmarks, submit evaluation jobs against an OpenAI-compatible model endpoint, and follow them to their results.' });

  server.registerTool(
    'discover_providers',
    {
      title: 'Discover evaluation providers',
      description: 'List the evaluation providers (frameworks) with their benchmarks and agent metadata: what they evaluate, for which target, and when to use them.',
      inputSchema: { target_type: z.string().optional().describe('only providers for this target (model, agent, …)'), evaluates: z.string().optional().describe('only providers that evaluate this (safety, reasoning, …)') },
    },
    (a) => guard(async () => ({ ...ok({ providers: (await hub.providers.all({ targetType: a.target_type, evaluates: a.evaluates })).map(providerSummary) }) })),
  );

  server.registerTool(
    'submit_evaluation',
    {
      title: 'Submit an evaluation job',
      description: 'Evaluate a model on benchmarks, a collection or a risk category. Returns the job id; follow it with get_job_status.',
      inputSchema: {
        name: z.string().describe('job name'),
        model_url: z.string().describe("the model's OpenAI-compatible base URL, e.g. http://host:8000/v1"),
        model_name: z.string().describe('the model name the endpoint serves'),
        benchmarks: z.array(benchmarkRef).optional().describe('benchmarks to run (from discover_providers)'),
        collection: z.string().optional().describe('a collection id instead of benchmarks'),
        risk_category: z.enum(['low', 'medium', 'high', 'critical']).optional(),
        experiment: z.string().optional().describe('MLflow experiment name'),
      },
    },
    (a) =>
      guard(async () => {
        const job = await hub.jobs.submit({
          name: a.name,
          model: { url: a.model_url, name: a.model_name },
          ...(a.benchmarks ? { benchmarks: a.benchmarks } : {}),
          ...(a.collection ? { collection: { id: a.collection } } : {}),
          ...(a.risk_category ? { risk_category: a.risk_category } : {}),
          ...(a.experiment ? { experiment: { name: a.experiment } } : {}),
        } as Parameters<EvalHubClient['jobs']['submit']>[0]);
        return ok({ job_id: job.resource.id, state: job.status.state, benchmarks: job.status.benchmarks.map((b) => `${b.provider_id}/${b.id}`) });
      }),
  );

  server.registerTool(
    'get_job_status',
    { title: 'Job status', description: "A job's state, overall percent and each benchmark's status and progress.", inputSchema: { job_id: z.string() } },
    (a) => guard(async () => ok(jobSummary(await hub.jobs.get(a.job_id)))),
  );

  server.registerTool(
    'cancel_job',
    { title: 'Cancel a job', description: 'Cancel a pending or running job.', inputSchema: { job_id: z.string() } },
    (a) => guard(async () => (await hub.jobs.cancel(a.job_id), ok({ job_id: a.job_id, cancelled: true }))),
  );

  server.registerTool(
    'get_job_results',
    { title: 'Job results', description: "A finished job's metrics per benchmark, each benchmark's pass/fail against its threshold, and the weighted score.", inputSchema: { job_id: z.string() } },
    (a) =>
      guard(async () => {
        const job = await hub.jobs.get(a.job_id);
        return ok({
          job_id: job.resource.id,
          state: job.status.state,
          test: job.results.test ?? undefined,
          benchmarks: (job.results.benchmarks ?? []).map((r) => ({ id: r.id, provider_id: r.provider_id, metrics: r.metrics, test: r.test })),
          errors: job.status.benchmarks.filter((b) => b.error_message).map((b) => ({ id: b.id, error: b.error_message?.message })),
        });
      }),
  );

  server.registerTool(
    'get_job_logs',
    { title: 'Job logs', description: "The last lines of a job's logs.", inputSchema: { job_id: z.string(), tail_lines: z.number().int().min(1).max(5000).optional().describe('default 200') } },
    (a) => guard(async () => ({ content: [{ type: 'text', text: await hub.jobs.logs(a.job_id, { tailLines: a.tail_lines ?? 200 }) }] })),
  );

  server.registerTool(
    'list_jobs',
    {
      title: 'List jobs',
      description: 'Recent jobs, newest first, optionally by state or name.',
      inputSchema: { status: z.enum(['pending', 'running', 'completed', 'failed', 'partially_failed', 'cancelled']).optional(), name: z.string().optional(), limit: z.number().int().min(1).max(200).optional() },
    },
    (a) => guard(async () => ok({ jobs: (await hub.jobs.list({ status: a.status, name: a.name, limit: a.limit ?? 20 })).items.map(jobSummary) })),
  );

  const json = (uri: URL, value: unknown) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] });
  server.registerResource('providers', 'evalhub://providers', { title: 'Providers', description: 'Every provider with its benchmarks and agent metadata', mimeType: 'application/json' }, async (uri) =>
    json(uri, (await hub.providers.all()).map(providerSummary)),
  );
  server.registerResource('collections', 'evalhub://collections', { title: 'Collections', description: 'Curated benchmark collections with weights and thresholds', mimeType: 'application/json' }, async (uri) =>
    json(uri, await hub.collections.all()),
  );
  server.registerResource(
    'job',
    new ResourceTemplate('evalhub://jobs/{id}', {
      list: async () => ({ resources: (await hub.jobs.list({ limit: 50 })).items.map((j) => ({ uri: `evalhub://jobs/${j.resource.id}`, name: j.name, mimeType: 'application/json' })) }),
    }),
    { title: 'Job', description: 'A job with its status and results', mimeType: 'application/json' },
    async (uri, vars) => json(uri, await hub.jobs.get(String(vars.id))),
  );

  server.registerPrompt(
    'choose_benchmarks',
    {
      title: 'Choose benchmarks for a goal',
      description: 'Guides choosing providers and benchmarks from their agent metadata for an evaluation goal, then submitting and following the job.',
      argsSchema: { goal: z.string().describe('what the user wants to know about the model'), model_url: z.string().optional(), model_name: z.string().optional() },
    },
    (a) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Goal: ${a.goal}`,
              a.model_url ? `Model: ${a.model_name ?? '(name to ask)'} at ${a.model_url}` : 'Ask for the model endpoint (OpenAI-compatible URL) and name if they are not known.',
              '',
              'Steps:',
              '1. Call discover_providers (filter with evaluates or target_type where the goal names them). Read each provider\'s summary, recommended_when and hints; keep only runnable providers.',
              '2. Pick the fewest benchmarks that answer the goal: prefer a collection when one fits; note each benchmark\'s metric, whether lower is better, and its threshold.',
              '3. Say which benchmarks you chose and why, then call submit_evaluation.',
              '4. Follow the job with get_job_status until it is completed, failed, partially_failed or cancelled; on failure read get_job_logs.',
              '5. Report get_job_results: each benchmark\'s score against its threshold, the weighted score, and what it means for the goal.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
  return server;
}
