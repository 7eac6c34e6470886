import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { jobFile } from './job-files';

describe('jobFile', () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-jobfile-'));
  const own = path.join(data, 'jobs', 'j1', 'u0');
  fs.mkdirSync(own, { recursive: true });
  fs.mkdirSync(path.join(data, 'jobs', 'j2'), { recursive: true });
  fs.writeFileSync(path.join(own, 'results.json'), '{}');
  fs.writeFileSync(path.join(data, 'jobs', 'j2', 'theirs.json'), '{}');
  fs.writeFileSync(path.join(data, 'secret.txt'), 'x');
  fs.symlinkSync(path.join(data, 'secret.txt'), path.join(own, 'link.txt'));
  fs.symlinkSync(path.join(own, 'results.json'), path.join(own, 'inner-link.json'));
  afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

  it("gives the real path of a regular file in the job's own folder", () => {
    expect(jobFile(data, 'j1', path.join(own, 'results.json'))).toBe(fs.realpathSync(path.join(own, 'results.json')));
    // A link that stays inside is the file it points to.
    expect(jobFile(data, 'j1', path.join(own, 'inner-link.json'))).toBe(fs.realpathSync(path.join(own, 'results.json')));
  });

  it('refuses what is elsewhere: another job, a link out, a climb out, a folder, nothing', () => {
    expect(jobFile(data, 'j1', path.join(data, 'jobs', 'j2', 'theirs.json'))).toBeUndefined();
    expect(jobFile(data, 'j1', path.join(own, 'link.txt'))).toBeUndefined();
    expect(jobFile(data, 'j1', path.join(own, '..', '..', '..', 'secret.txt'))).toBeUndefined();
    expect(jobFile(data, 'j1', '/etc/passwd')).toBeUndefined();
    expect(jobFile(data, 'j1', own)).toBeUndefined();
    expect(jobFile(data, 'j1', path.join(own, 'missing.json'))).toBeUndefined();
    expect(jobFile(data, 'nope', path.join(own, 'results.json'))).toBeUndefined();
  });
});
