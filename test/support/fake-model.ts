import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './service';

// The fake model is plain JS so it can also run standalone (node test/fixtures/fake-model-server.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain-JS fixture (it also runs standalone), loaded by path
const { createFakeModel } = require(path.join(ROOT, 'test', 'fixtures', 'fake-model-server.js'));

export interface FakeModel {
  url: string;
  requests: { method: string; path: string; authorization: string | null; body: any }[];
  close(): Promise<void>;
}

export const TASKS_DIR = path.join(ROOT, 'test', 'fixtures', 'lm-eval-tasks');

export async function startFakeModel(opts: { delayMs?: number } = {}): Promise<FakeModel> {
  const answers = JSON.parse(fs.readFileSync(path.join(TASKS_DIR, 'answers.json'), 'utf8'));
  const fake = createFakeModel({ answers, ...opts });
  const port = await fake.listen(0);
  return { url: `http://127.0.0.1:${port}/v1`, requests: fake.requests, close: () => fake.close() };
}
