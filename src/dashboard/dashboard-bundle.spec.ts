import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DashboardBundle } from './dashboard-bundle';

describe('DashboardBundle', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-bundle-'));
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);

  it('is not built without a manifest, then serves exactly the files the manifest lists', () => {
    const bundle = new DashboardBundle(dir);
    expect(bundle.file('index.html')).toBe('not-built');
    write('index.html', '<!doctype html>');
    write('app.ABCD1234.js', 'x()');
    write('dashboard.controller.js', 'server code');
    write('manifest.json', JSON.stringify({ files: ['app.ABCD1234.js', 'index.html', '../etc/passwd'] }));
    const index = bundle.file('index.html');
    expect(index).toMatchObject({ type: 'text/html; charset=utf-8', immutable: false });
    expect(bundle.file('app.ABCD1234.js')).toMatchObject({ type: 'text/javascript; charset=utf-8', immutable: true });
    expect(bundle.file('dashboard.controller.js')).toBeUndefined();
    expect(bundle.file('manifest.json')).toBeUndefined();
  });

  it('picks up a rebuild (a new manifest)', () => {
    const bundle = new DashboardBundle(dir);
    const before = bundle.file('index.html') as { etag: string };
    write('index.html', '<!doctype html><p>new');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'manifest.json'), later, later);
    expect((bundle.file('index.html') as { etag: string }).etag).not.toBe(before.etag);
  });
});
