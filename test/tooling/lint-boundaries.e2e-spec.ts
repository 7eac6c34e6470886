import { spawnSync } from 'child_process';
import * as path from 'path';
import { ROOT } from '../support/service';

type Result = { rule: string | null; message: string }[];

// ESLint loads its flat config with import(), which jest's VM does not offer: lint in a child.
const LINT = `
import { ESLint } from 'eslint';
const cases = JSON.parse(await new Promise((r) => { let d = ''; process.stdin.on('data', (c) => (d += c)).on('end', () => r(d)); }));
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const [filePath, code] of cases) {
  const [res] = await eslint.lintText(code, { filePath });
  out.push(res.messages.map((m) => ({ rule: m.ruleId, message: m.message })));
}
process.stdout.write(JSON.stringify(out));
`;

function lintAll(cases: [string, string][]): Result[] {
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', LINT], {
    cwd: ROOT,
    input: JSON.stringify(cases.map(([f, c]) => [path.join(ROOT, f), c])),
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`eslint failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as Result[];
}

/** The layering of ARCHITECTURE.md ("Layers") is enforced by `npm run lint`: an upward import fails it. */
describe('lint: import boundaries', () => {
  const lint = async (file: string, code: string): Promise<Result> => lintAll([[file, code]])[0];

  it.each([
    ['src/domain/probe.ts', "import { JobsRepository } from '../evaluations/jobs.repository';\nexport const x = JobsRepository;\n"],
    ['src/core/config/probe.ts', "import { MlflowClient } from '../../mlflow/mlflow.client';\nexport const x = MlflowClient;\n"],
    ['src/executors/lm-eval/probe.ts', "import { JobsRepository } from '../../evaluations/jobs.repository';\nexport const x = JobsRepository;\n"],
    ['src/executors/local-process/probe.ts', "import { K8sGateway } from '../../kubernetes/k8s-gateway';\nexport const x = K8sGateway;\n"],
    ['src/evaluations/probe.ts', "import { K8sGateway } from '../kubernetes/k8s-gateway';\nexport const x = K8sGateway;\n"],
    ['src/executors/ragas/probe.ts', "import { lightevalTasks } from '../lighteval/lighteval-tasks';\nexport const x = lightevalTasks;\n"],
  ])('%s: an upward import fails with import-x/no-restricted-paths', async (file, code) => {
    expect(await lint(file, code)).toEqual([expect.objectContaining({ rule: 'import-x/no-restricted-paths' })]);
  });

  it('only src/kubernetes/ may import @kubernetes/client-node', async () => {
    const code = "import type { V1Pod } from '@kubernetes/client-node';\nexport type P = V1Pod;\n";
    expect(await lint('src/evaluations/probe.ts', code)).toEqual([expect.objectContaining({ rule: 'no-restricted-imports' })]);
    expect(await lint('src/kubernetes/probe.ts', code)).toEqual([]);
  });

  it('allows what the layers permit', async () => {
    expect(await lint('src/domain/probe.ts', "import { JobRecord } from './types';\nexport type J = JobRecord;\n")).toEqual([]);
    expect(await lint('src/executors/lm-eval/probe.ts', "import { AppConfig } from '../../core/config/app-config';\nexport type C = AppConfig;\n")).toEqual([]);
    expect(await lint('src/worker/probe.ts', "import { JobsRepository } from '../evaluations/jobs.repository';\nexport const x = JobsRepository;\n")).toEqual([]);
  });
});
