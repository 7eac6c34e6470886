import * as fs from 'fs';
import * as path from 'path';

/**
 * The real path of a job's file when it is a regular file inside that job's own folder
 * (`<dataDir>/jobs/<jobId>/`), after symlinks; otherwise undefined. Results name files by path, and
 * a tool, an adapter or an event may name any path (a symlink to /proc/1/environ, /etc/shadow):
 * nothing outside the job's folder is ever read to be kept, uploaded or served.
 */
export function jobFile(dataDir: string, jobId: string, file: string): string | undefined {
  try {
    const root = fs.realpathSync(path.join(dataDir, 'jobs', jobId));
    const real = fs.realpathSync(file);
    if (!real.startsWith(root + path.sep)) return undefined;
    return fs.statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
