// The upstream Go server (PyPI eval-hub-server 1.0.2, installed once into ~/.cache/evalhub) in
// local mode, with EvalHub's catalog (config/providers, config/collections) and in-memory SQLite,
// for the benches' side-by-side figures.
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { freePort, waitHttp, ROOT } = require('./harness');

const VERSION = '1.0.2';

/** Starts it; `extraProviders` are more provider YAML files ({file name: text}). */
async function startUpstream({ extraProviders = {} } = {}) {
  const venv = path.join(os.homedir(), '.cache', 'evalhub', `upstream-eval-hub-server-${VERSION}`);
  if (!fs.existsSync(path.join(venv, 'bin', 'eval-hub'))) {
    execFileSync('python3', ['-m', 'venv', venv]);
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', `eval-hub-server==${VERSION}`]);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-upstream-'));
  fs.cpSync(path.join(ROOT, 'config', 'providers'), path.join(dir, 'providers'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'config', 'collections'), path.join(dir, 'collections'), { recursive: true });
  for (const [name, text] of Object.entries(extraProviders)) fs.writeFileSync(path.join(dir, 'providers', name), text);
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, 'config.yaml'),
    `service:\n  port: ${port}\n  host: "127.0.0.1"\n  ready_file: "${dir}/ready"\n  termination_file: "${dir}/termination"\ndatabase:\n  driver: sqlite\n  url: file::eval_hub:?mode=memory&cache=shared\nprometheus:\n  enabled: false\n`,
  );
  const proc = spawn(path.join(venv, 'bin', 'eval-hub'), ['--local', '--configdir', dir], { stdio: 'ignore', cwd: dir });
  await waitHttp(`http://127.0.0.1:${port}/api/v1/health`);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    async stop() {
      // It does not always stop on SIGTERM while its local runs are going: SIGKILL after 5 s.
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

module.exports = { startUpstream };
