import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { freePort, waitFor } from '../support/ports';
import { EvalHubService, ROOT } from '../support/service';
import { TlsAuthProxy } from '../support/tls-auth-proxy';

// The MCP server (`evalhub mcp`) driven by the MCP SDK's own client, over stdio and over
// streamable HTTP: list the tools, submit a job, poll it to completion, read its results.

const TOOLS = ['cancel_job', 'discover_providers', 'get_job_logs', 'get_job_results', 'get_job_status', 'list_jobs', 'submit_evaluation'];

type Text = { type: string; text: string };
const call = async (client: Client, name: string, args: Record<string, unknown>) => {
  const r = (await client.callTool({ name, arguments: args })) as { content: Text[]; structuredContent?: any; isError?: boolean };
  return r;
};

describe('MCP server', () => {
  let svc: EvalHubService;
  let provider: string;
  let http: ChildProcess | undefined;

  beforeAll(async () => {
    svc = new EvalHubService();
    await svc.start();
    provider = await svc.createTestProvider();
  });
  afterAll(async () => {
    http?.kill('SIGTERM');
    await svc?.stop();
  });

  /** What an agent does: discover, submit, poll to the end, read results, logs and resources. */
  async function agentSession(client: Client): Promise<void> {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    expect(tools.find((t) => t.name === 'discover_providers')!.inputSchema.properties).toHaveProperty('evaluates');

    const found = await call(client, 'discover_providers', { evaluates: 'red_teaming' });
    const ids = found.structuredContent.providers.map((p: any) => p.id);
    expect(ids).toContain('garak');
    expect(ids).not.toContain('lm_evaluation_harness');

    const submitted = await call(client, 'submit_evaluation', { name: 'from an agent', model_url: 'http://m/v1', model_name: 'm', benchmarks: [{ id: 'alpha', provider_id: provider }] });
    expect(submitted.isError).toBeFalsy();
    const jobId = submitted.structuredContent.job_id as string;
    expect(submitted.structuredContent.benchmarks).toEqual([`${provider}/alpha`]);

    // Polled the way an agent polls: get_job_status until the state is terminal.
    const final = await waitFor(
      'the job to finish (MCP polling)',
      async () => {
        const s = await call(client, 'get_job_status', { job_id: jobId });
        return ['completed', 'failed', 'partially_failed', 'cancelled'].includes(s.structuredContent.state) ? s.structuredContent : undefined;
      },
      60000,
      250,
    );
    expect(final).toMatchObject({ id: jobId, state: 'completed', percent: 100 });
    const results = await call(client, 'get_job_results', { job_id: jobId });
    expect(results.structuredContent.benchmarks[0]).toMatchObject({ id: 'alpha', metrics: { acc: expect.any(Number) }, test: { primary_score_metric: 'acc' } });
    expect((await call(client, 'get_job_logs', { job_id: jobId })).content[0].text).toContain('alpha');
    expect((await call(client, 'list_jobs', { status: 'completed' })).structuredContent.jobs.map((j: any) => j.id)).toContain(jobId);

    const missing = await call(client, 'get_job_status', { job_id: 'no-such-job' });
    expect(missing.isError).toBe(true);
    expect(missing.content[0].text).toMatch(/404 resource_not_found.*message_code resource_not_found/);

    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['evalhub://providers', 'evalhub://collections', `evalhub://jobs/${jobId}`]));
    const job = JSON.parse(((await client.readResource({ uri: `evalhub://jobs/${jobId}` })).contents[0] as { text: string }).text);
    expect(job.status.state).toBe('completed');
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('choose_benchmarks');
    const prompt = await client.getPrompt({ name: 'choose_benchmarks', arguments: { goal: 'is it safe to ship?' } });
    expect((prompt.messages[0].content as Text).text).toMatch(/Goal: is it safe to ship\?[\s\S]*discover_providers[\s\S]*submit_evaluation/);
  }

  it('over stdio (evalhub mcp), with the outbound URL from EVALHUB_BASE_URL', async () => {
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [path.join(ROOT, 'dist', 'cli.js'), 'mcp'], env: { PATH: process.env.PATH ?? '', EVALHUB_BASE_URL: svc.baseUrl }, stderr: 'pipe' }));
    try {
      await agentSession(client);
    } finally {
      await client.close();
    }
  }, 120000);

  it('over streamable HTTP (dist/mcp.js), with an inbound bearer token', async () => {
    const port = await freePort();
    http = spawn(process.execPath, [path.join(ROOT, 'dist', 'mcp.js'), '--http'], {
      env: { PATH: process.env.PATH, EVALHUB_BASE_URL: svc.baseUrl, EVALHUB_PORT: String(port), EVALHUB_MCP_TOKEN: 'agent-token' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await waitFor('the MCP HTTP server', async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, 20000, 100);
    const denied = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(denied.status).toBe(401);
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { Authorization: 'Bearer agent-token' } } }));
    try {
      await agentSession(client);
    } finally {
      await client.close();
    }
  }, 120000);

  it('reaches an EvalHub behind TLS with a private CA and a bearer token (EVALHUB_CA_CERT_PATH, EVALHUB_TOKEN)', async () => {
    const proxy = await new TlsAuthProxy(svc.baseUrl).start();
    try {
      const connect = async (env: Record<string, string>) => {
        const client = new Client({ name: 'test-agent', version: '1.0.0' });
        await client.connect(new StdioClientTransport({ command: process.execPath, args: [path.join(ROOT, 'dist', 'mcp.js')], env: { PATH: process.env.PATH ?? '', EVALHUB_BASE_URL: proxy.url, EVALHUB_TOKEN: proxy.token, ...env }, stderr: 'pipe' }));
        return client;
      };
      const trusted = await connect({ EVALHUB_CA_CERT_PATH: proxy.caCertPath });
      try {
        const jobs = await call(trusted, 'list_jobs', {});
        expect(jobs.isError).toBeFalsy();
        expect(jobs.structuredContent.jobs.length).toBeGreaterThan(0);
      } finally {
        await trusted.close();
      }
      // Without the CA the certificate is refused, and the tool says so.
      const untrusted = await connect({});
      try {
        const refused = await call(untrusted, 'list_jobs', {});
        expect(refused.isError).toBe(true);
        expect(refused.content[0].text).toMatch(/not reachable|certificate/i);
      } finally {
        await untrusted.close();
      }
      // The CLI reads the same settings.
      const out = await new Promise<string>((resolve) => {
        const p = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'collections', '--json'], { env: { PATH: process.env.PATH, EVALHUB_URL: proxy.url, EVALHUB_TOKEN: proxy.token, EVALHUB_CA_CERT_PATH: proxy.caCertPath }, stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        p.stdout!.on('data', (d) => (text += d));
        p.on('close', () => resolve(text));
      });
      expect(JSON.parse(out).length).toBeGreaterThan(0);
      expect(proxy.seen.every((r) => r.authorized)).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 120000);
});
