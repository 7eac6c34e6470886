#!/usr/bin/env node
import { CliError, cliEnv } from './cli/client';
import { compare, gate, watch } from './cli/commands';

const USAGE = `evalhub: EvalHub from the command line (EVALHUB_URL, EVALHUB_TOKEN, EVALHUB_TENANT)

  evalhub watch <job-id>                      follow a job live; exit 0 when it completed
  evalhub gate <job-id> <gate-id>             hold a job against a gate; exit 0 GO, 1 NO-GO, 2 INCONCLUSIVE
  evalhub compare <baseline-id> <job-id>...   compare jobs with a baseline; exit 1 if any regressed
`;

/** The CLI process: one command per run, its exit code for scripts and CI pipelines. */
async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const env = cliEnv();
  const out = (s: string) => process.stdout.write(s + '\n');
  if (command === 'watch' && args.length === 1) return watch(env, out, args[0]);
  if (command === 'gate' && args.length === 2) return gate(env, out, args[0], args[1]);
  if (command === 'compare' && args.length >= 2) return compare(env, out, args[0], args.slice(1));
  process.stderr.write(USAGE);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 64;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`evalhub: ${e instanceof CliError ? e.message : (e as Error).stack}\n`);
    // 3: the question could not be asked (distinct from GO / NO-GO / INCONCLUSIVE).
    process.exit(3);
  },
);
