import { EvalHubService } from '../support/service';

// Fair scheduling (issue: spend less): with one worker slot busy, a high-priority job submitted
// behind ten normal ones starts before them, and two tenants submitting at once take turns.

describe('scheduling: priority and fair share', () => {
  const svc = new EvalHubService({ TENANCY_MODE: 'cluster', MAX_CONCURRENT_EVALUATIONS: '1' }, { auth: true });
  const providers = new Map<string, string>();

  beforeAll(async () => {
    await svc.start();
    for (const tenant of ['team-a', 'team-b']) providers.set(tenant, await svc.createTestProvider({ 'X-Tenant': tenant }));
  });
  afterAll(() => svc.stop());

  const submit = async (tenant: string, name: string, delayMs: number, priority?: string) => {
    const res = await svc.request(
      'POST',
      '/api/v1/evaluations/jobs',
      { name, model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: providers.get(tenant), parameters: { delay_ms: delayMs } }], ...(priority ? { priority } : {}) },
      { 'X-Tenant': tenant },
    );
    expect([res.status, res.body.message]).toEqual([202, undefined]);
    return res.body.resource.id as string;
  };
  /** Holds the only slot until the others are queued. */
  const blocker = async () => {
    const id = await submit('team-a', 'blocker', 3000);
    await svc.waitForState(id, ['running'], 30000, { 'X-Tenant': 'team-a' });
    return id;
  };
  const startedAt = async (ids: { id: string; tenant: string; label: string }[]) => {
    const done = [];
    for (const j of ids) {
      const job = await svc.waitForState(j.id, ['completed'], 120000, { 'X-Tenant': j.tenant });
      done.push({ ...j, started: job.status.benchmarks[0].started_at as string });
    }
    return done.sort((a, b) => a.started.localeCompare(b.started)).map((j) => j.label);
  };

  it('a high-priority job submitted behind ten normal ones starts before them', async () => {
    await blocker();
    const normal = [];
    for (let i = 0; i < 10; i++) normal.push({ id: await submit('team-a', `normal-${i}`, 20), tenant: 'team-a', label: `normal-${i}` });
    const high = { id: await submit('team-a', 'urgent', 20, 'high'), tenant: 'team-a', label: 'urgent' };
    // While it waits, the urgent job is first in line.
    const view = await svc.request('GET', `/api/v1/evaluations/jobs/${high.id}`, undefined, { 'X-Tenant': 'team-a' });
    expect(view.body.status.benchmarks[0].queue_position).toBe(1);
    const order = await startedAt([...normal, high]);
    expect(order[0]).toBe('urgent');
    expect(order.slice(1)).toEqual(normal.map((n) => n.label));
  }, 240000);

  it('two tenants submitting at once get alternating slots', async () => {
    await blocker();
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push({ id: await submit('team-a', `a-${i}`, 20), tenant: 'team-a', label: 'a' });
    for (let i = 0; i < 4; i++) jobs.push({ id: await submit('team-b', `b-${i}`, 20), tenant: 'team-b', label: 'b' });
    // Waiting jobs say where they are and, from the runs of the first test, when they likely start.
    const waiting = async (j: { id: string; tenant: string }) => (await svc.request('GET', `/api/v1/evaluations/jobs/${j.id}`, undefined, { 'X-Tenant': j.tenant })).body.status.benchmarks[0];
    const [second, last] = [await waiting(jobs[4]), await waiting(jobs[7])];
    expect([second.queue_position, last.queue_position]).toEqual([2, 8]);
    expect(last.queue_eta_seconds).toBeGreaterThan(second.queue_eta_seconds);
    expect(await startedAt(jobs)).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
  }, 240000);

  it('refuses an unknown priority with a 400 naming the field', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'x', model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: providers.get('team-a') }], priority: 'urgent' }, { 'X-Tenant': 'team-a' });
    expect([res.status, res.body.message_code]).toEqual([400, 'request_validation_failed']);
    expect(res.body.message).toMatch(/priority must be one of the following values: low, normal, high/);
  });
});
