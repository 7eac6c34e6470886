import { EvalHubService } from '../support/service';

const VIEWER = { token: 'viewer-token-123', user: 'vera', tenants: ['team-a'], role: 'viewer' as const };
const TEAM_ADMIN = { token: 'team-admin-token-456', user: 'tom', tenants: ['team-a'], role: 'admin' as const };

describe('queue view (Bull Board) at /admin/queues', () => {
  describe('off by default', () => {
    const svc = new EvalHubService();
    beforeAll(() => svc.start({ worker: false }));
    afterAll(() => svc.stop());

    it('is not there', async () => {
      expect((await fetch(`${svc.baseUrl}/admin/queues`)).status).toBe(404);
    });
  });

  describe('on a single-user install', () => {
    const svc = new EvalHubService({ EVALHUB_QUEUE_DASHBOARD: 'true' });
    beforeAll(() => svc.start({ worker: false }));
    afterAll(() => svc.stop());

    it('shows the three queues and the runs waiting in them', async () => {
      const page = await fetch(`${svc.baseUrl}/admin/queues`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('EvalHub queues');
      // No worker here: a submitted job's run stays waiting, as the board's API shows.
      const provider = await svc.createTestProvider();
      const job = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'queued', model: { url: 'http://127.0.0.1:9/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: provider }] });
      expect(job.status).toBe(202);
      // Runs wait in BullMQ's prioritized set (every run has a priority: domain/scheduling).
      const api = await fetch(`${svc.baseUrl}/admin/queues/api/queues?activeQueue=benchmark-runs&status=prioritized&page=1`);
      expect(api.status).toBe(200);
      const body = (await api.json()) as { queues: { name: string; counts: Record<string, number>; jobs: { id: string }[] }[] };
      expect(body.queues.map((q) => q.name).sort()).toEqual(['benchmark-runs', 'job-finalize', 'mlflow-tracking']);
      const runs = body.queues.find((q) => q.name === 'benchmark-runs')!;
      expect(runs.counts.prioritized).toBeGreaterThanOrEqual(1);
      expect(runs.jobs.some((j) => j.id.includes(job.body.resource.id))).toBe(true);
    });
  });

  describe('with authentication', () => {
    const svc = new EvalHubService({ EVALHUB_QUEUE_DASHBOARD: 'true' }, { tokens: [VIEWER, TEAM_ADMIN] });
    beforeAll(() => svc.start({ worker: false }));
    afterAll(() => svc.stop());

    it('is for admins only', async () => {
      const none = await fetch(`${svc.baseUrl}/admin/queues`);
      expect([none.status, ((await none.json()) as any).message_code]).toEqual([401, 'unauthorized']);
      const viewer = await fetch(`${svc.baseUrl}/admin/queues`, { headers: { Authorization: `Bearer ${VIEWER.token}` } });
      expect([viewer.status, ((await viewer.json()) as any).message_code]).toEqual([403, 'forbidden']);
      // An admin of one tenant would see (and could retry or remove) every tenant's work there.
      const teamAdmin = await fetch(`${svc.baseUrl}/admin/queues`, { headers: { Authorization: `Bearer ${TEAM_ADMIN.token}` } });
      expect(teamAdmin.status).toBe(403);
      const admin = await fetch(`${svc.baseUrl}/admin/queues`, { headers: { Authorization: `Bearer ${svc.adminToken}` } });
      expect(admin.status).toBe(200);
    });

    it('takes the token once in the address, keeps it in a cookie for the page, and drops it from the URL', async () => {
      const first = await fetch(`${svc.baseUrl}/admin/queues?token=${svc.adminToken}`, { redirect: 'manual' });
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/admin/queues');
      const cookie = first.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/Max-Age=3600/);
      const next = await fetch(`${svc.baseUrl}/admin/queues/api/queues`, { headers: { cookie: cookie.split(';')[0] } });
      expect(next.status).toBe(200);
    });
  });
});
