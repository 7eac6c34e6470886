import * as fs from 'fs';
import * as path from 'path';
import type { Redis } from 'ioredis';

/** Lines kept per run unit in Redis; older lines remain in the unit's log file. */
const STREAM_MAX_LINES = 50000;
const FLUSH_MS = 200;
const FLUSH_LINES = 500;
/** While Redis is unreachable lines wait in memory (the newest this many), and are retried. */
const MAX_BUFFERED_LINES = 20000;
const RETRY_MS = 1000;
const CLOSE_RETRY_MS = 15000;

/**
 * Collects a process's output: every line goes to the unit's log file and, in batches, to a Redis
 * stream that any API pod can serve. Keeps the last lines for failure messages.
 */
export class LogWriter {
  private pending: string[] = [];
  private partial = '';
  private timer?: NodeJS.Timeout;
  private readonly file: fs.WriteStream;
  private readonly tail: string[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly streamKey: string,
    readonly filePath: string,
    private readonly redact: (s: string) => string = (s) => s,
  ) {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    this.file = fs.createWriteStream(filePath, { flags: 'a' });
  }

  write(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r\n|\n|\r/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }

  line(raw: string): void {
    const line = this.redact(raw);
    this.file.write(line + '\n');
    this.pending.push(line);
    this.tail.push(line);
    if (this.tail.length > 50) this.tail.shift();
    if (this.pending.length >= FLUSH_LINES) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
  }

  lastLines(n: number): string[] {
    return this.tail.filter((l) => l.trim() !== '').slice(-n);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending;
    this.pending = [];
    if (lines.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      const p = this.redis.pipeline();
      for (const l of lines) p.xadd(this.streamKey, 'MAXLEN', '~', STREAM_MAX_LINES, '*', 'l', l);
      let unsent: string[];
      try {
        const res = await p.exec();
        unsent = res ? lines.filter((_, i) => res[i]?.[0]) : lines;
      } catch {
        unsent = lines;
      }
      if (unsent.length) {
        // Redis is away (restart, failover): keep the lines and try again, the file has them already.
        this.pending = [...unsent, ...this.pending].slice(-MAX_BUFFERED_LINES);
        if (!this.timer) this.timer = setTimeout(() => void this.flush(), RETRY_MS);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    await this.flush();
    for (const end = Date.now() + CLOSE_RETRY_MS; this.pending.length && Date.now() < end; ) {
      await new Promise((r) => setTimeout(r, 250));
      await this.flush();
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await new Promise<void>((resolve) => this.file.end(resolve));
  }
}

export interface LogQuery {
  tailLines: number; // -1 = all
  sinceSeconds?: number;
  timestamps: boolean;
}

/** XRANGE page size when every line is asked for: memory stays bounded however long the log. */
const PAGE_LINES = 1000;

function formatEntry(q: LogQuery): (e: [string, string[]]) => string {
  return ([id, fields]) => {
    const text = fields[1] ?? '';
    return q.timestamps ? `${new Date(Number(id.split('-')[0])).toISOString()} ${text}` : text;
  };
}

/**
 * One unit's lines from its stream, oldest first, in pages: the newest `tailLines` of those since
 * `sinceSeconds` (one read, at most 10000 lines), or with tail_lines=-1 all of them, page by page.
 */
export async function* logStreamPages(redis: Redis, key: string, q: LogQuery): AsyncGenerator<string[]> {
  const format = formatEntry(q);
  const min = q.sinceSeconds !== undefined ? String(Date.now() - q.sinceSeconds * 1000) : '-';
  if (q.tailLines >= 0) {
    const newest = (await redis.xrevrange(key, '+', min, 'COUNT', q.tailLines)) as [string, string[]][];
    if (newest.length) yield newest.reverse().map(format);
    return;
  }
  let start = min;
  for (;;) {
    const page = (await redis.xrange(key, start, '+', 'COUNT', PAGE_LINES)) as [string, string[]][];
    if (page.length) yield page.map(format);
    if (page.length < PAGE_LINES) return;
    start = `(${page[page.length - 1][0]}`;
  }
}

/**
 * Passes chunks on until `limit` bytes have gone out, then cuts (keeping the head, as upstream's
 * limited writer does) and calls `onCut`; the rest of the source is not read.
 */
export async function* capBytes(chunks: AsyncIterable<string>, limit: number, onCut: () => void): AsyncGenerator<Buffer> {
  let sent = 0;
  for await (const chunk of chunks) {
    const buf = Buffer.from(chunk);
    if (sent + buf.length > limit) {
      if (limit > sent) yield buf.subarray(0, limit - sent);
      onCut();
      return;
    }
    sent += buf.length;
    if (buf.length) yield buf;
  }
}
