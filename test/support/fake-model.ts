import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './service';

// The fake model is plain JS so it can also run standalone (node test/fixtures/fake-model-server.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain-JS fixture (it also runs standalone), loaded by path
const { createFakeModel } = require(path.join(ROOT, 'test', 'fixtures', 'fake-model-server.js'));

export interface FakeModel {
  url: string;
  requests: { method: string; path: string; authorization: string | null; body: any }[];
  /** What the model counted: completion calls answered, their usage tokens, most requests at once. */
  stats: { completionRequests: number; promptTokens: number; completionTokens: number; inFlight: number; maxInFlight: number };
  close(): Promise<void>;
}

export const TASKS_DIR = path.join(ROOT, 'test', 'fixtures', 'lm-eval-tasks');
export const LIGHTEVAL_TASKS_DIR = path.join(ROOT, 'test', 'fixtures', 'lighteval-tasks');
/** Wrong answers to twelve of demo_arith's questions: a variant of the test model that does worse. */
export const WORSE_ARITH_ANSWERS = JSON.parse(fs.readFileSync(path.join(TASKS_DIR, 'answers-worse.json'), 'utf8')) as object[];
export const RAGAS_DATASET = path.join(ROOT, 'test', 'fixtures', 'ragas', 'dataset.jsonl');

/** Answer rules of every fixture: lm-eval's and Lighteval's capitals, garak's DAN probe. */
function answerRules(): object[] {
  const read = (...p: string[]) => JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', ...p), 'utf8')) as object[];
  return [...read('lm-eval-tasks', 'answers.json'), ...read('garak', 'answers.json')];
}

export interface FakeModelOptions {
  /** Delay before every completion answer (cancel and timeout tests). */
  delayMs?: number;
  /** Streaming: wait before the first chunk (time to first token) … */
  ttftMs?: number;
  /** … and between later chunks (inter-token latency). */
  itlMs?: number;
  /** Answer rules tried before the fixtures' own (first match wins): a model that answers differently. */
  answersFirst?: object[];
  /** Listen on this port (default: a free one), e.g. to bring an endpoint back where it was. */
  port?: number;
}

export async function startFakeModel(opts: FakeModelOptions = {}): Promise<FakeModel> {
  const { answersFirst, port: wanted, ...rest } = opts;
  const fake = createFakeModel({ answers: [...(answersFirst ?? []), ...answerRules()], ...rest });
  const port = await fake.listen(wanted ?? 0);
  return { url: `http://127.0.0.1:${port}/v1`, requests: fake.requests, stats: fake.stats, close: () => fake.close() };
}
