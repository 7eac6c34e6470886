import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './service';

/** The project venv made by scripts/setup-python.sh (npm test runs it first). */
export function venvDir(): string {
  if (process.env.EVALHUB_PYTHON_VENV) return process.env.EVALHUB_PYTHON_VENV;
  const marker = path.join(ROOT, '.data', 'python-venv-path');
  if (!fs.existsSync(marker)) throw new Error('no Python venv: run scripts/setup-python.sh (npm test does)');
  return fs.readFileSync(marker, 'utf8').trim();
}

export function venvBin(name: string): string {
  return path.join(venvDir(), 'bin', name);
}

/** Environment for Python children: the venv first on PATH, nothing fetched from hubs. */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.join(venvDir(), 'bin')}:${process.env.PATH}`,
    VIRTUAL_ENV: venvDir(),
    HF_HUB_OFFLINE: '1',
    HF_DATASETS_OFFLINE: '1',
    HF_EVALUATE_OFFLINE: '1',
    TRANSFORMERS_OFFLINE: '1',
    PYTHONUNBUFFERED: '1',
    ...extra,
  };
}
