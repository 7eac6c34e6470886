import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './service';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain-JS fixture (it also runs standalone), loaded by path
const { createFakeKube, kubeconfig } = require(path.join(ROOT, 'test', 'fixtures', 'fake-kube-apiserver.js'));

export type FakeKube = ReturnType<typeof createFakeKube> & { url: string; kubeconfigPath: string };

export async function startFakeKube(opts: Record<string, unknown> = {}): Promise<FakeKube> {
  const kube = createFakeKube(opts);
  const port = await kube.listen(0);
  const url = `http://127.0.0.1:${port}`;
  const kubeconfigPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-kube-')), 'config');
  fs.writeFileSync(kubeconfigPath, kubeconfig(url));
  return Object.assign(kube, { url, kubeconfigPath });
}
