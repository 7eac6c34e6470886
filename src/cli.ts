#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import * as cmd from './cli/commands';
import { CliError, configFile, resolveConfig } from './cli/config';
import { EvalHubClient, EvalHubError } from './sdk/client';
import { relaunchForTls } from './cli/tls-env';

/** The CLI process: one command per run, its exit code for scripts and CI pipelines. */
const EXIT_HELP = `
Exit codes: 0 done (and the job passed); 1 the job failed or did not pass its threshold (NO-GO for
gate, a regression for compare); 2 INCONCLUSIVE (gate); 3 the service could not be asked; 64 usage.
Service: --url/--token/--tenant, else EVALHUB_URL, EVALHUB_TOKEN, EVALHUB_TENANT, else the config
file ${configFile()} ({"url", "token", "tenant"}). TLS: EVALHUB_CA_CERT_PATH (a PEM bundle), or
EVALHUB_INSECURE=true.`;

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function program(): Command {
  const p = new Command('evalhub')
    .description('EvalHub from the command line: catalog, jobs with live progress, results, gates, MCP')
    .option('--url <url>', 'EvalHub base URL')
    .option('--token <token>', 'bearer token')
    .option('--tenant <tenant>', 'tenant (namespace) to act for')
    .option('--json', 'print JSON for scripts')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .showHelpAfterError();

  const ctx = () => {
    const g = p.opts<{ url?: string; token?: string; tenant?: string; json?: boolean; color?: boolean }>();
    const cfg = resolveConfig({ url: g.url, token: g.token, tenant: g.tenant });
    const tty = !!process.stdout.isTTY && !g.json;
    const io: cmd.Io = {
      out: (s) => process.stdout.write(s + '\n'),
      write: (s) => process.stdout.write(s),
      tty,
      style: { color: tty && g.color !== false && !process.env.NO_COLOR },
      json: !!g.json,
    };
    return { hub: new EvalHubClient({ baseUrl: cfg.url, token: cfg.token, tenant: cfg.tenant, user: cfg.user }), io };
  };
  const act =
    <A extends unknown[]>(fn: (c: ReturnType<typeof ctx>, ...args: A) => Promise<number>) =>
    async (...args: A) => {
      throw new Exit(await fn(ctx(), ...args));
    };
  const collect = (v: string, prev: string[] = []) => [...prev, v];

  p.command('providers')
    .description('list providers (with whether this deployment can run them)')
    .option('--target-type <type>', 'only providers whose agent metadata targets this (model, agent, …)')
    .option('--evaluates <what>', 'only providers that evaluate this (safety, reasoning, …)')
    .action(act((c, o: { targetType?: string; evaluates?: string }) => cmd.providers(c.hub, c.io, o)));
  p.command('benchmarks')
    .description("list benchmarks of every provider, or one provider's")
    .option('--provider <id>')
    .option('--search <text>', 'case-insensitive match on id, name, description and tags')
    .option('--category <category>')
    .action(act((c, o: { provider?: string; search?: string; category?: string }) => cmd.benchmarks(c.hub, c.io, o)));
  p.command('collections')
    .description('list collections')
    .action(act((c) => cmd.collections(c.hub, c.io)));
  p.command('run')
    .description('submit a job: benchmarks, a collection or a risk category; --wait follows it to its end')
    .requiredOption('--model-url <url>', 'OpenAI-compatible endpoint of the model')
    .requiredOption('--model-name <name>')
    .option('-b, --benchmark <provider/id>', 'a benchmark (repeatable)', collect)
    .option('-c, --collection <id>')
    .addOption(new Option('--risk-category <level>').choices(['low', 'medium', 'high', 'critical']))
    .option('-p, --param <name=value>', 'benchmark parameter (repeatable; JSON values allowed)', collect)
    .option('--name <name>', 'job name')
    .option('--experiment <name>', 'MLflow experiment')
    .option('--tag <tag>', 'job tag (repeatable)', collect)
    .option('-w, --wait', 'follow the job, print its results, exit 1 if it fails or misses its threshold')
    .action(act((c, o: cmd.RunOptions) => cmd.run(c.hub, c.io, o)));
  p.command('status [id]')
    .description("a job's state and progress, or the latest jobs")
    .action(act((c, id?: string) => cmd.status(c.hub, c.io, id)));
  p.command('watch <id>')
    .description('live progress bars until the job ends, then its results')
    .action(act((c, id: string) => cmd.watch(c.hub, c.io, id)));
  p.command('logs <id>')
    .description("a job's logs")
    .option('-f, --follow', 'follow the log lines until the job ends')
    .option('--tail <n>', 'last n lines', (v) => Number(v))
    .action(act((c, id: string, o: { follow?: boolean; tail?: number }) => cmd.logs(c.hub, c.io, id, o)));
  p.command('results <id>')
    .description("a job's results table (exit 1 if it failed or missed its threshold)")
    .option('--csv', 'as CSV')
    .action(act((c, id: string, o: { csv?: boolean }) => cmd.results(c.hub, c.io, id, o)));
  p.command('cancel <id>')
    .description('cancel a job')
    .action(act((c, id: string) => cmd.cancel(c.hub, c.io, id)));
  p.command('retry <id>')
    .description("run a finished job's failed and cancelled benchmarks again")
    .option('-w, --wait', 'follow the job to its end')
    .action(act((c, id: string, o: { wait?: boolean }) => cmd.retry(c.hub, c.io, id, o)));
  p.command('delete <id>')
    .description('delete a job and its record')
    .action(act((c, id: string) => cmd.remove(c.hub, c.io, id)));
  p.command('gate <job-id> <gate-id>')
    .description('hold a job against a release gate: exit 0 GO, 1 NO-GO, 2 INCONCLUSIVE')
    .action(act((c, job: string, gateId: string) => cmd.gate(c.hub, c.io, job, gateId)));
  p.command('compare <baseline-id> <job-ids...>')
    .description('compare jobs with a baseline: exit 1 if any regressed')
    .action(act((c, baseline: string, jobs: string[]) => cmd.compare(c.hub, c.io, baseline, jobs)));
  p.command('mcp')
    .description('serve the MCP tools (stdio, or streamable HTTP with --http)')
    .option('--http', 'streamable HTTP instead of stdio')
    .option('--port <port>', 'HTTP port', (v) => Number(v), 8090)
    .option('--host <host>', 'HTTP host', '127.0.0.1')
    .action(async (o: { http?: boolean; port: number; host: string }) => {
      const g = p.opts<{ url?: string; token?: string; tenant?: string }>();
      const { serveMcp } = await import('./mcp/serve');
      await serveMcp({ ...o, client: { url: g.url, token: g.token, tenant: g.tenant } });
    });
  return p;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 64;
    if (e instanceof cmd.UsageError) {
      process.stderr.write(`evalhub: ${e.message}\n`);
      return 64;
    }
    if (e instanceof EvalHubError || e instanceof CliError) {
      const hint = e instanceof EvalHubError ? (e.status === 401 ? ' (set EVALHUB_TOKEN or --token)' : e.status === 403 ? ' (check EVALHUB_TENANT or --tenant)' : '') : '';
      process.stderr.write(`evalhub: ${e.message}${hint}\n`);
      // 3: the question could not be asked (distinct from a failed job, NO-GO, INCONCLUSIVE).
      return 3;
    }
    throw e;
  }
}

/** Exits once stdout and stderr are flushed: on a pipe they are asynchronous, and exit would cut them. */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

const relaunched = relaunchForTls();
(relaunched ?? main(process.argv.slice(2))).then(
  (code) => exit(code),
  (e: unknown) => {
    process.stderr.write(`evalhub: ${(e as Error)?.stack ?? String(e)}\n`);
    exit(3);
  },
);
