#!/usr/bin/env node
import { relaunchForTls } from './cli/tls-env';
import { serveMcp } from './mcp/serve';

/**
 * The MCP server process (also `evalhub mcp`): stdio by default; EVALHUB_TRANSPORT=http (or --http)
 * serves streamable HTTP on EVALHUB_HOST:EVALHUB_PORT (127.0.0.1:8090) at /mcp. Outbound:
 * EVALHUB_BASE_URL, EVALHUB_TOKEN, EVALHUB_TENANT, EVALHUB_CA_CERT_PATH (or EVALHUB_INSECURE=true);
 * inbound (HTTP): EVALHUB_MCP_TOKEN.
 */
const argv = process.argv.slice(2);
const httpMode = argv.includes('--http') || process.env.EVALHUB_TRANSPORT === 'http';
const relaunched = relaunchForTls();
(relaunched ?? serveMcp({ http: httpMode, host: process.env.EVALHUB_HOST || '127.0.0.1', port: Number(process.env.EVALHUB_PORT || 8090), client: {} }).then(() => 0)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`evalhub-mcp: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
