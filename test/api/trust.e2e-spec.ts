import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { waitFor } from '../support/ports';
import { startFakeModel, TASKS_DIR } from '../support/fake-model';
import { EvalHubService, SILENT_ADAPTER } from '../support/service';

const MODEL = { url: 'http://model.local:8000/v1', name: 'm' };
const BENCHMARKS = ['b0', 'b1', 'b2'].map((id) => ({ id, name: id, category: 'x', primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.5 } }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * POSTs a large body with plain node:http, so that an answer sent before the whole body was
 * written (or a connection closed without one, status -1) shows as such.
 */
function postLarge(url: string, body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    // Closed without any answer: say so rather than hang.
    req.on('close', () => answered || resolve({ status: -1, body: { message_code: 'connection closed without an answer' } }));
    req.end(body);
  });
}

/** Resident memory of a process, in MB. */
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/**
 * The attacks of the trust issue, each made as an attacker or a careless client would, on a
 * running service (local mode, one worker): every one now fails safely and changes nothing.
 */
describe('trust: forged events, foreign origins, oversized and odd input', () => {
  const svc = new EvalHubService({ MAX_CONCURRENT_EVALUATIONS: '6', EVALHUB_SECRET_MODEL: 'sk-allowed' });
  let silent: string;

  beforeAll(async () => {
    await svc.start();
    const res = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'Silent', benchmarks: BENCHMARKS, runtime: { local: { command: SILENT_ADAPTER } } });
    silent = res.body.resource.id;
  });
  afterAll(() => svc.stop());

  const submit = async (n = 1) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 't', model: MODEL, benchmarks: BENCHMARKS.slice(0, n).map((b) => ({ id: b.id, provider_id: silent })) });
    expect(res.status).toBe(202);
    return res.body.resource.id as string;
  };
  const ev = (i: number, status: string, extra: object = {}) => ({ provider_id: silent, id: `b${i}`, benchmark_index: i, status, ...extra });
  const job = async (id: string) => (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;

  it('refuses events without a credential, with a wrong token, or with another job\'s token, and they change nothing', async () => {
    const a = await submit();
    const b = await submit();
    const cbA = await svc.callbackUrl(a, 0);
    expect(cbA).toMatch(/\/cb\/[A-Za-z0-9_-]{40,}$/);
    const token = cbA.split('/cb/')[1];

    const forged = await svc.request('POST', `/api/v1/evaluations/jobs/${a}/events`, { benchmark_status_event: ev(0, 'completed', { metrics: { acc: 0.99 } }) }, { 'X-Tenant': 'other' });
    expect([forged.status, forged.body.message_code]).toEqual([401, 'unauthorized']);
    const wrong = await svc.postEvent(`${svc.baseUrl}/cb/${'x'.repeat(43)}`, a, ev(0, 'completed', { metrics: { acc: 0.99 } }));
    expect([wrong.status, wrong.body.message_code]).toEqual([401, 'callback_token_invalid']);
    const header = await svc.request('POST', `/api/v1/evaluations/jobs/${a}/events`, { benchmark_status_event: ev(0, 'running') }, { 'X-EvalHub-Callback-Token': 'not-a-token-of-any-run' });
    expect(header.status).toBe(401);

    // Job A's token on job B answers exactly as a job that does not exist.
    const cross = await svc.postEvent(cbA, b, ev(0, 'completed', { metrics: { acc: 1 } }));
    const unknown = await svc.postEvent(cbA, 'no-such-job', ev(0, 'running'));
    expect(cross.status).toBe(404);
    expect(cross.body.message.replace(b, 'ID')).toBe(unknown.body.message.replace('no-such-job', 'ID'));
    expect(cross.body.message_code).toBe(unknown.body.message_code);

    for (const id of [a, b]) expect((await job(id)).status.benchmarks[0].status).toBe('pending');
    // The same token also works as the sidecar sends it (a header), for its own job.
    const viaHeader = await svc.request('POST', `/api/v1/evaluations/jobs/${a}/events`, { benchmark_status_event: ev(0, 'running') }, { 'X-EvalHub-Callback-Token': token });
    expect(viaHeader.status).toBe(204);
    for (const id of [a, b]) await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`);
  });

  it('a token only reports its own benchmarks; finished results are never overwritten or flipped; absurd metrics are refused', async () => {
    const id = await submit(2);
    const cb0 = await svc.callbackUrl(id, 0);
    const other = await svc.postEvent(cb0, id, ev(1, 'completed', { metrics: { acc: 1 } }));
    expect([other.status, other.body.message_code]).toEqual([403, 'forbidden']);

    expect((await svc.postEvent(cb0, id, ev(0, 'running'))).status).toBe(204);
    const huge = await svc.postEvent(cb0, id, ev(0, 'completed', { metrics: { acc: 1e308 } }));
    expect([huge.status, huge.body.message_code]).toEqual([400, 'request_validation_failed']);
    expect(huge.body.message).toContain('metrics.acc');
    expect((await svc.postEvent(cb0, id, ev(0, 'completed', { metrics: { acc: 0.1 } }))).status).toBe(204);
    const overwrite = await svc.postEvent(cb0, id, ev(0, 'completed', { metrics: { acc: 0.99 } }));
    const flip = await svc.postEvent(cb0, id, ev(0, 'failed', { error_message: { message: 'x', message_code: 'x' } }));
    expect([overwrite.status, overwrite.body.message_code, flip.status]).toEqual([409, 'benchmark_already_finished', 409]);
    const after = await job(id);
    expect(after.results.benchmarks[0].metrics).toEqual({ acc: 0.1 });
    expect(after.status.benchmarks[0].status).toBe('completed');
    await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`);
  });

  it('stops an adapter that reported its end, frees its slot, and its token dies with the run (replay refused)', async () => {
    const id = await submit();
    const cb = await svc.callbackUrl(id, 0);
    const pidFile = path.join(svc.dataDir, 'jobs', id);
    // The silent adapter's process group leader is the shell the worker started; find its pid.
    const pid = await waitFor('adapter pid', async () => {
      const out = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
      for (const p of out) {
        try {
          const env = fs.readFileSync(`/proc/${p}/environ`, 'utf8');
          if (env.includes(pidFile)) return Number(p);
        } catch {
          /* gone or not ours */
        }
      }
      return undefined;
    });
    expect(alive(pid)).toBe(true);
    expect((await svc.postEvent(cb, id, ev(0, 'completed', { metrics: { acc: 0.8 } }))).status).toBe(204);
    expect((await job(id)).status.state).toBe('completed');
    await waitFor('adapter stopped', async () => !alive(pid), 10000, 100);
    // The run is over, so its credential is too: a replay of the same event is refused.
    const replay = await waitFor('token revoked', async () => {
      const r = await svc.postEvent(cb, id, ev(0, 'completed', { metrics: { acc: 0.8 } }));
      return r.status === 401 ? r : undefined;
    });
    expect(replay.body.message_code).toBe('callback_token_invalid');
  });

  it('refuses a state-changing request a page on another origin sends through the browser', async () => {
    const body = { name: 'csrf', model: MODEL, benchmarks: [{ id: 'b0', provider_id: silent }] };
    const foreign = await svc.request('POST', '/api/v1/evaluations/jobs', body, { Origin: 'http://evil.example' });
    expect([foreign.status, foreign.body.message_code]).toEqual([403, 'forbidden']);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    // A form or fetch() "simple request" (text/plain, no preflight) is read as JSON now, so it
    // must be refused just the same.
    const simple = await fetch(`${svc.baseUrl}/api/v1/evaluations/jobs`, { method: 'POST', headers: { Origin: 'http://evil.example', 'content-type': 'text/plain' }, body: JSON.stringify(body) });
    expect(simple.status).toBe(403);
    const preflight = await fetch(`${svc.baseUrl}/api/v1/evaluations/jobs`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const same = await svc.request('POST', '/api/v1/evaluations/jobs', body, { Origin: svc.baseUrl });
    expect(same.status).toBe(202);
    await svc.request('DELETE', `/api/v1/evaluations/jobs/${same.body.resource.id}`);
  });

  it('answers ids that equal internal key names, huge offsets and odd tenant headers with 4xx', async () => {
    for (const p of ['/api/v1/evaluations/jobs/index', '/api/v1/evaluations/jobs/tenant:default', '/api/v1/evaluations/providers/index', '/api/v1/evaluations/collections/index']) {
      const r = await svc.request('GET', p);
      expect([p, r.status, r.body.message_code]).toEqual([p, 404, 'resource_not_found']);
    }
    expect((await svc.request('DELETE', '/api/v1/evaluations/jobs/index')).status).toBe(404);
    for (const q of ['limit=9223372036854775808', 'offset=9223372036854775808', 'limit=1001', 'offset=-1']) {
      const r = await svc.request('GET', `/api/v1/evaluations/jobs?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
    }
    for (const t of ['../etc', '{t}', 'x'.repeat(8192), 'UPPER']) {
      const r = await svc.request('GET', '/api/v1/evaluations/jobs', undefined, { 'X-Tenant': t });
      expect([t.slice(0, 10), r.status, r.body.message_code]).toEqual([t.slice(0, 10), 400, 'invalid_tenant_header']);
    }
  });

  it('refuses secret references outside the allowed places and misspelt parameters, at submit', async () => {
    const lm = { id: 'arc_easy', provider_id: 'lm_evaluation_harness' };
    for (const ref of ['env:REDIS_URL', 'file:///etc/passwd', '../../etc/passwd']) {
      const r = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 's', model: { ...MODEL, auth: { secret_ref: ref } }, benchmarks: [lm] });
      expect([ref, r.status, r.body.message_code]).toEqual([ref, 400, 'request_validation_failed']);
      expect(r.body.message).toContain('secret_ref');
    }
    const ok = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 's', model: { ...MODEL, auth: { secret_ref: 'env:EVALHUB_SECRET_MODEL' } }, benchmarks: [{ id: 'b0', provider_id: silent }] });
    expect(ok.status).toBe(202);
    await svc.request('DELETE', `/api/v1/evaluations/jobs/${ok.body.resource.id}`);
    const typo = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'p', model: MODEL, benchmarks: [{ ...lm, parameters: { num_exampels: 5 } }] });
    expect([typo.status, typo.body.message_code]).toEqual([400, 'request_validation_failed']);
    expect(typo.body.message).toContain("num_exampels is not a parameter this backend accepts; did you mean 'num_examples'?");
  });

  it('refuses oversized fields and bodies, and the API stays small under that abuse', async () => {
    const big = (n: number) => 'x'.repeat(n);
    const jobs = `${svc.baseUrl}/api/v1/evaluations/jobs`;
    const desc = await postLarge(jobs, JSON.stringify({ name: 'd', description: big(10 * 1024 * 1024), model: MODEL, benchmarks: [{ id: 'b0', provider_id: silent }] }));
    expect([desc.status, desc.body.message_code]).toEqual([413, 'request_body_too_large']);
    const id9 = await postLarge(jobs, JSON.stringify({ name: 'd', model: MODEL, benchmarks: [{ id: big(9 * 1024 * 1024), provider_id: silent }] }));
    expect(id9.status).toBe(413);
    // Under the global limit but over the route's (512 KiB for a job request).
    const route = await postLarge(jobs, JSON.stringify({ name: 'd', description: big(1024 * 1024), model: MODEL, benchmarks: [{ id: 'b0', provider_id: silent }] }));
    expect([route.status, route.body.message_code]).toEqual([413, 'request_body_too_large']);
    const longDesc = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'd', description: big(100_000), model: MODEL, benchmarks: [{ id: 'b0', provider_id: silent }] });
    expect([longDesc.status, longDesc.body.message_code]).toEqual([400, 'request_validation_failed']);
    expect(longDesc.body.message).toContain('description');
    const longId = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'd', model: MODEL, benchmarks: [{ id: big(5000), provider_id: silent }] });
    expect(longId.status).toBe(400);
    let deep = '1';
    for (let i = 0; i < 2400; i++) deep = `{"a":${deep}}`;
    for (const url of ['/api/v1/evaluations/jobs', '/api/v1/evaluations/providers', '/api/v1/evaluations/collections']) {
      const r = await svc.request('POST', url, deep);
      expect([url, r.status, r.body.message_code]).toEqual([url, 400, 'json_too_deep']);
    }
    for (let i = 0; i < 10; i++) {
      expect((await postLarge(jobs, JSON.stringify({ name: 'd', description: big(10 * 1024 * 1024), model: MODEL, benchmarks: [{ id: 'b0', provider_id: silent }] }))).status).toBe(413);
    }
    expect((await svc.request('GET', '/api/v1/evaluations/jobs?limit=0')).status).toBe(200);
    expect(rssMb(svc.api!.pid!)).toBeLessThan(300);
  });

  it('runs local processes with a minimal environment: no Redis URL, no secrets of the worker', async () => {
    const dump = `${process.execPath} -e "require('fs').writeFileSync(process.env.EVALHUB_JOB_SPEC_PATH + '.env', JSON.stringify(process.env))"`;
    const p = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'Env', benchmarks: BENCHMARKS.slice(0, 1), runtime: { local: { command: dump } } });
    const r = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'env', model: MODEL, benchmarks: [{ id: 'b0', provider_id: p.body.resource.id }] });
    const id = r.body.resource.id;
    await svc.waitForState(id, ['failed']);
    const base = path.join(svc.dataDir, 'jobs', id, '0', p.body.resource.id, 'b0', 'meta', 'job.json.env');
    const env = JSON.parse(fs.readFileSync(base, 'utf8'));
    expect(env.EVALHUB_JOB_SPEC_PATH).toBeDefined();
    expect(env.PATH).toBeDefined();
    for (const k of ['REDIS_URL', 'REDIS_PREFIX', 'EVALHUB_SECRET_MODEL', 'DATA_DIR']) expect([k, env[k]]).toEqual([k, undefined]);
  });
});

/** Where more than one person uses the service, a tenant cannot make the worker run a shell line. */
describe('trust: no tenant shell in a shared deployment', () => {
  const bob = { token: 'bob-token-0123456789abcd', user: 'bob', tenants: ['team-b'], role: 'submitter' as const };
  const svc = new EvalHubService({ TENANCY_MODE: 'cluster' }, { tokens: [bob] });
  beforeAll(() => svc.start({ worker: false }));
  afterAll(() => svc.stop());

  it('refuses runtime.local.command and env from tenants, and lets an admin set them', async () => {
    const h = { Authorization: `Bearer ${bob.token}` };
    const shell = { name: 'Shell', benchmarks: BENCHMARKS.slice(0, 1), runtime: { local: { command: 'cat /proc/self/environ > /tmp/pwned' } } };
    const refused = await svc.request('POST', '/api/v1/evaluations/providers', shell, h);
    expect([refused.status, refused.body.message_code]).toEqual([403, 'local_command_not_allowed']);
    const env = await svc.request('POST', '/api/v1/evaluations/providers', { ...shell, runtime: { local: { executor: 'lm_evaluation_harness', env: [{ name: 'LD_PRELOAD', value: '/tmp/x.so' }] } } }, h);
    expect(env.status).toBe(403);
    const tasks = await svc.request('POST', '/api/v1/evaluations/providers', { ...shell, runtime: { local: { executor: 'lm_evaluation_harness', include_path: '/etc' } } }, h);
    expect(tasks.status).toBe(403);
    // Smuggled in later by PATCH: refused the same way.
    const plain = await svc.request('POST', '/api/v1/evaluations/providers', { ...shell, runtime: { k8s: { image: 'quay.io/x/y:1' } } }, h);
    expect(plain.status).toBe(201);
    const patch = await svc.request('PATCH', `/api/v1/evaluations/providers/${plain.body.resource.id}`, [{ op: 'replace', path: '/runtime', value: { local: { command: 'id' } } }], h);
    expect(patch.status).toBe(403);
    const admin = await svc.request('POST', '/api/v1/evaluations/providers', shell, { 'X-Tenant': 'team-b' });
    expect(admin.status).toBe(201);
  });
});

/** A worker that runs as root starts adapters and backends as nobody by default, owning only their folder. */
(process.getuid?.() === 0 ? describe : describe.skip)('trust: adapters and backends run unprivileged when the worker is root', () => {
  const svc = new EvalHubService();
  beforeAll(() => svc.start());
  afterAll(() => svc.stop());

  it('runs the adapter as nobody, which can write its own folder but not read the worker\'s data', async () => {
    const probe = [
      "const fs=require('fs');const p=process.env.EVALHUB_JOB_SPEC_PATH;",
      // Its job's folder and the folder of all jobs: passable, not listable.
      "let other='unreadable';for(const up of ['../../../../..','../../../../../..']){try{fs.readdirSync(require('path').resolve(p,up));other='listed'}catch{}}",
      "fs.writeFileSync(p+'.who',JSON.stringify({uid:process.getuid(),home:process.env.HOME,other}))",
    ].join('');
    const p = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'Who', benchmarks: BENCHMARKS.slice(0, 1), runtime: { local: { command: `${process.execPath} -e "${probe}"` } } });
    const r = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'who', model: MODEL, benchmarks: [{ id: 'b0', provider_id: p.body.resource.id }] });
    const id = r.body.resource.id;
    await svc.waitForState(id, ['failed']);
    const dir = path.join(svc.dataDir, 'jobs', id, '0', p.body.resource.id, 'b0');
    const who = JSON.parse(fs.readFileSync(path.join(dir, 'meta', 'job.json.who'), 'utf8'));
    expect(who).toEqual({ uid: 65534, home: dir, other: 'unreadable' });
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs`)).text;
    expect(logs).toContain('(index 0) as nobody');
  });

  it('runs a native backend (lm-eval) as nobody too: its outputs belong to nobody, the job completes', async () => {
    const fake = await startFakeModel();
    try {
      const p = await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'Tasks',
        benchmarks: [{ id: 'demo_gen', name: 'demo_gen', category: 'knowledge', primary_score: { metric: 'exact_match' } }],
        runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
      });
      const r = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'native', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'demo_gen', provider_id: p.body.resource.id }] });
      const job = await svc.waitForState(r.body.resource.id, ['completed', 'failed'], 180000);
      expect(job.status.state).toBe('completed');
      const link: string = job.results.benchmarks[0].artifacts['lm_eval.results'];
      const onDisk = svc.fileOnWorkerDisk(job.resource.id, decodeURIComponent(link.slice(link.lastIndexOf('/') + 1)));
      expect(fs.statSync(onDisk!).uid).toBe(65534);
      const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${job.resource.id}/logs?tail_lines=-1`)).text;
      expect(logs).toMatch(/\(as nobody\) \S+\/lm-eval run/);
    } finally {
      await fake.close();
    }
  });
});
