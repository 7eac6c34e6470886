import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Where scripts/build-dashboard.js writes the bundle: next to this file once compiled (dist/dashboard). */
export const DASHBOARD_DIR = path.resolve(__dirname);

export interface DashboardFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Content-hashed names never change content: cached for good. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The built dashboard, read from disk on first use and again when a rebuild changed its manifest.
 * Only the files the manifest lists are served, so the compiled server code that shares the
 * folder is never exposed.
 */
export class DashboardBundle {
  private cache?: { mtimeMs: number; files: Map<string, DashboardFile> };

  constructor(private readonly dir: string = DASHBOARD_DIR) {}

  /** undefined when the bundle was not built (or is incomplete). */
  file(name: string): DashboardFile | undefined | 'not-built' {
    const files = this.load();
    if (!files) return 'not-built';
    return files.get(name);
  }

  private load(): Map<string, DashboardFile> | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path.join(this.dir, 'manifest.json'));
    } catch {
      this.cache = undefined;
      return undefined;
    }
    if (this.cache?.mtimeMs === stat.mtimeMs) return this.cache.files;
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(this.dir, 'manifest.json'), 'utf8')) as { files: string[] };
      const files = new Map<string, DashboardFile>();
      for (const name of manifest.files) {
        if (name !== path.basename(name)) continue; // flat names only
        const body = fs.readFileSync(path.join(this.dir, name));
        const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
        files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`, immutable: name !== 'index.html' && /\.[A-Z0-9]{8}\./.test(name) });
      }
      if (!files.has('index.html')) return undefined;
      this.cache = { mtimeMs: stat.mtimeMs, files };
      return files;
    } catch {
      return undefined; // a build in progress: answered as not built, read again next time
    }
  }
}
