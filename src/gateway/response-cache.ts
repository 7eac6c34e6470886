import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { stableJson } from '../domain/stable-json';

// Answers of identical model calls, kept on the worker's disk per tenant, so a re-run (or another
// job asking the same) costs no model call. Only deterministic calls by default: temperature 0,
// a fixed seed, or a log-likelihood request (its answer does not depend on sampling).

export type CacheMode = 'deterministic' | 'all' | 'off';

export interface CachedAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Fields that change nothing in the answer's content. */
const NOT_IN_KEY = new Set(['stream_options', 'user']);

export function isDeterministic(body: unknown): boolean {
  const b = body as { temperature?: unknown; seed?: unknown; echo?: unknown; logprobs?: unknown } | undefined;
  if (!b || typeof b !== 'object') return false;
  if (b.echo === true && b.logprobs !== undefined && b.logprobs !== null) return true;
  return b.temperature === 0 || (typeof b.seed === 'number' && Number.isInteger(b.seed));
}

export class ResponseCache {
  constructor(private readonly dir: string) {}

  /** The key of a call: endpoint, path and the request body with its keys sorted. */
  static key(endpoint: string, urlPath: string, body: unknown): string {
    const kept = body && typeof body === 'object' ? Object.fromEntries(Object.entries(body).filter(([k]) => !NOT_IN_KEY.has(k))) : body;
    return createHash('sha256').update(`${endpoint}\n${urlPath}\n${stableJson(kept)}`).digest('hex');
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), key);
  }

  get(key: string): CachedAnswer | undefined {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.file(key));
    } catch {
      return undefined;
    }
    // [status line][content type line][body]
    const a = raw.indexOf(10);
    const b = raw.indexOf(10, a + 1);
    if (a < 0 || b < 0) return undefined;
    return { status: Number(raw.subarray(0, a).toString()), contentType: raw.subarray(a + 1, b).toString(), body: raw.subarray(b + 1) };
  }

  /** Written to a temporary file and renamed: a reader never sees half an answer. */
  put(key: string, answer: CachedAnswer): void {
    const file = this.file(key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${answer.status}\n${answer.contentType}\n`), answer.body]));
    fs.renameSync(tmp, file);
  }
}
