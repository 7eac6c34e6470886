import * as fs from 'fs';
import * as path from 'path';
import { RunLog } from '../executors/executor.interface';

/** The adapter's run log: every line to stdout (the pod's log) and to a file the result can name. */
export class ConsoleLog implements RunLog {
  private partial = '';
  private readonly tail: string[] = [];

  constructor(readonly filePath: string) {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
  }

  write(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split(/\r\n|\n|\r/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }

  line(text: string): void {
    process.stdout.write(text + '\n');
    fs.appendFileSync(this.filePath, text + '\n');
    this.tail.push(text);
    if (this.tail.length > 50) this.tail.shift();
  }

  lastLines(n: number): string[] {
    return this.tail.filter((l) => l.trim() !== '').slice(-n);
  }
}
