import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { venvBin } from '../support/python';
import { ROOT } from '../support/service';

const K8S = path.join(ROOT, 'deploy', 'k8s');
const OVERLAYS = ['base', ...fs.readdirSync(path.join(K8S, 'overlays')).map((o) => `overlays/${o}`)];
/** Kinds whose schemas are not in Kubernetes itself (CRDs): checked structurally here. */
const CRD_KINDS: Record<string, (doc: any) => void> = {
  ServiceMonitor: (d) => expect(d.spec.endpoints.length).toBeGreaterThan(0),
  Route: (d) => expect(d.spec.to).toMatchObject({ kind: 'Service', name: 'evalhub-api' }),
  ScaledObject: (d) => expect(d.spec.triggers[0]).toMatchObject({ type: 'redis', metadata: { listName: 'evalhub:benchmark-runs:wait' } }),
};

function renderText(dir: string): string {
  return execFileSync(venvBin('kubectl'), ['kustomize', path.join(K8S, dir)], { encoding: 'utf8' });
}

function render(dir: string): any[] {
  return YAML.parseAllDocuments(renderText(dir)).map((d) => d.toJSON());
}

describe('deploy/: kustomize overlays render and validate offline', () => {
  it.each(OVERLAYS)('%s renders and every resource passes the Kubernetes 1.31 schemas', (dir) => {
    const text = renderText(dir);
    const docs = YAML.parseAllDocuments(text).map((d) => d.toJSON());
    // Validate kustomize's own output as it would be applied (CRD kinds have no schema there:
    // kubernetes-validate only warns about them, and they are checked below instead).
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-render-')), 'all.yaml');
    fs.writeFileSync(file, text);
    const res = spawnSync(venvBin('kubernetes-validate'), ['-k', '1.31.0', '--strict', '--quiet', '--no-warn', file], { encoding: 'utf8' });
    expect({ dir, code: res.status, out: res.stdout + res.stderr }).toEqual({ dir, code: 0, out: '' });
    for (const d of docs.filter((x) => CRD_KINDS[x.kind])) CRD_KINDS[d.kind](d);
    const kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment/evalhub-api', 'Deployment/evalhub-worker', 'StatefulSet/evalhub-redis', 'Role/evalhub-worker', 'ServiceMonitor/evalhub']));
  });

  it('runs the worker with a grace period longer than its own shutdown timeout, Redis with AOF and noeviction', () => {
    const docs = render('base');
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'evalhub-config');
    const worker = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'evalhub-worker');
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(cm.data.SHUTDOWN_TIMEOUT_SECONDS));
    expect(worker.spec.template.spec.containers[0].command).toEqual(['node', 'dist/worker.js']);
    const redis = docs.find((d) => d.kind === 'StatefulSet');
    expect(redis.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(redis.spec.volumeClaimTemplates).toHaveLength(1);
  });

  it('keda overlay replaces the CPU autoscaler with queue-depth scaling; openshift adds a Route', () => {
    expect(render('overlays/keda').some((d) => d.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(render('overlays/openshift').some((d) => d.kind === 'Route')).toBe(true);
  });

  it('docker-compose.yml wires Redis (AOF, noeviction), MLflow, API and worker from one image', () => {
    const compose = YAML.parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'));
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['redis', 'mlflow', 'api', 'worker', 'prometheus', 'grafana']));
    expect(compose.services.redis.command.join(' ')).toMatch(/--appendonly yes.*--maxmemory-policy noeviction/);
    expect(compose.services.api.command).toEqual(['node', 'dist/main.js']);
    expect(compose.services.worker.command).toEqual(['node', 'dist/worker.js']);
    expect(compose.services.grafana.profiles).toEqual(['observability']);
  });

  it('every package the compiled service loads is a production dependency (the image installs no dev dependencies)', () => {
    const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies);
    const builtins = new Set(builtinModules);
    const loaded = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.js')) {
          for (const m of fs.readFileSync(p, 'utf8').matchAll(/require\(['"]([^'"./][^'"]*)['"]\)/g)) {
            const spec = m[1].replace(/^node:/, '');
            const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
            if (!builtins.has(pkg)) loaded.add(pkg);
          }
        }
      }
    };
    walk(path.join(ROOT, 'dist'));
    expect(loaded.size).toBeGreaterThan(10);
    expect([...loaded].filter((p) => !deps.includes(p))).toEqual([]);
  });

  it('the Containerfile is consistent: stages compose uses exist, copied paths exist, non-root, current Node LTS', () => {
    const lines = fs.readFileSync(path.join(ROOT, 'Containerfile'), 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    const nodeVersion = Number(/^ARG NODE_VERSION=(\d+)/m.exec(lines.join('\n'))?.[1]);
    // An even major is an LTS line; 22 is the oldest still maintained in late 2026.
    expect(nodeVersion % 2).toBe(0);
    expect(nodeVersion).toBeGreaterThanOrEqual(22);
    const stages = new Map<string, { user?: string; cmd?: string }>();
    let current = '';
    for (const line of lines) {
      const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
      if (from) {
        current = from[2] ?? from[1];
        // A stage built on another one starts as that one (user included).
        stages.set(current, { ...(stages.get(from[1]) ?? {}) });
        continue;
      }
      const copy = /^COPY\s+(--from=(\S+)\s+)?(.+)\s+(\S+)$/i.exec(line);
      if (copy && !copy[2]) for (const src of copy[3].split(/\s+/)) expect({ src, exists: fs.existsSync(path.join(ROOT, src)) }).toEqual({ src, exists: true });
      if (copy?.[2]) expect(stages.has(copy[2])).toBe(true);
      const user = /^USER\s+(\S+)/i.exec(line);
      if (user) stages.get(current)!.user = user[1];
      const cmd = /^CMD\s+(.+)$/i.exec(line);
      if (cmd) stages.get(current)!.cmd = cmd[1];
    }
    const compose = YAML.parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'));
    const targets = Object.values(compose.services as Record<string, any>).filter((s) => s.build).map((s) => s.build.target);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(stages.has(target)).toBe(true);
      // Non-root: `node` in the Node stages, the unprivileged uid in the Python evaluator's.
      expect({ target, user: stages.get(target)!.user }).toEqual({ target, user: target === 'nemo-evaluator' ? '65534' : 'node' });
    }
    // The image's default command is a file the build produces.
    const cmd = JSON.parse(stages.get('runtime')!.cmd!) as string[];
    expect(fs.existsSync(path.join(ROOT, cmd[1]))).toBe(true);
  });
});
