import * as http from 'http';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { EvalHubClient } from '../sdk/client';
import { createEvalHubMcpServer } from './evalhub-mcp-server';

export interface ServeOptions {
  http?: boolean;
  host: string;
  port: number;
  /** Outbound: the EvalHub API (flags over EVALHUB_BASE_URL/EVALHUB_URL, EVALHUB_TOKEN, EVALHUB_TENANT). */
  client: { url?: string; token?: string; tenant?: string };
  /** Inbound, HTTP only: a bearer token callers must send (EVALHUB_MCP_TOKEN). */
  inboundToken?: string;
}

const MAX_BODY = 4 * 1024 * 1024;

/**
 * Serves the MCP server until its transport ends: stdio (for agents that start it as a command),
 * or streamable HTTP on host:port at /mcp (stateless: each request gets its own server), with an
 * unauthenticated /health.
 */
export async function serveMcp(o: ServeOptions): Promise<void> {
  const hub = EvalHubClient.fromEnv(process.env, {
    ...(o.client.url ? { baseUrl: o.client.url } : {}),
    ...(o.client.token ? { token: o.client.token } : {}),
    ...(o.client.tenant ? { tenant: o.client.tenant } : {}),
  });
  if (!o.http) {
    const server = createEvalHubMcpServer(hub);
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
    });
    await server.connect(transport);
    await closed;
    return;
  }
  const inbound = o.inboundToken ?? process.env.EVALHUB_MCP_TOKEN;
  const srv = http.createServer((req, res) => void handle(req, res));
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    if (path !== '/mcp') return void res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found: the MCP endpoint is /mcp"}');
    if (inbound && req.headers.authorization !== `Bearer ${inbound}`) return void res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"missing or wrong bearer token"}');
    if (req.method !== 'POST') return void res.writeHead(405, { Allow: 'POST', 'Content-Type': 'application/json' }).end('{"error":"this server is stateless: POST JSON-RPC messages to /mcp"}');
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (e) {
      return void res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: (e as Error).message }, id: null }));
    }
    const server = createEvalHubMcpServer(hub);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(o.port, o.host, () => resolve());
  });
  const addr = srv.address();
  process.stderr.write(`evalhub MCP server on http://${o.host}:${typeof addr === 'object' && addr ? addr.port : o.port}/mcp (EvalHub at ${hub.http.baseUrl})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => srv.close(() => resolve());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}
