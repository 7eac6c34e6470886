import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Where the CLI finds the service: flags, then the environment, then a config file
// (EVALHUB_CONFIG, else ~/.config/evalhub/config.json: {"url", "token", "tenant", "user"}).

export interface CliConfig {
  url: string;
  token?: string;
  tenant?: string;
  user?: string;
}

export class CliError extends Error {}

export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVALHUB_CONFIG || path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'evalhub', 'config.json');
}

export function resolveConfig(flags: Partial<CliConfig>, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const file = configFile(env);
  let saved: Partial<CliConfig> = {};
  if (fs.existsSync(file)) {
    try {
      saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<CliConfig>;
    } catch (e) {
      throw new CliError(`the config file ${file} is not JSON: ${(e as Error).message}`);
    }
  }
  const pick = (k: keyof CliConfig, envName: string[]) => flags[k] ?? envName.map((n) => env[n]).find((v) => v) ?? saved[k];
  return {
    url: (pick('url', ['EVALHUB_URL', 'EVALHUB_BASE_URL']) ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    token: pick('token', ['EVALHUB_TOKEN']),
    tenant: pick('tenant', ['EVALHUB_TENANT']),
    user: pick('user', ['EVALHUB_USER']),
  };
}
