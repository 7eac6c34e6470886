import { Redis } from 'ioredis';
import { EvalHubService } from '../support/service';

/** An accepted job is never lost: even when the queue's entries for it are gone. */
describe('recovery of accepted jobs', () => {
  const svc = new EvalHubService();
  let provider: string;
  beforeAll(async () => {
    await svc.start({ worker: false });
    provider = await svc.createTestProvider();
  });
  afterAll(() => svc.stop());

  it('a starting worker re-queues a job whose queue entries were lost, and it completes', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'lost', model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: provider }] });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    // Redis loses every BullMQ key of this installation (e.g. a flushed or restored instance).
    const redis = new Redis(process.env.REDIS_URL!);
    let removed = 0;
    for (const pattern of [`${svc.prefix}:benchmark-runs:*`, `${svc.prefix}:job-finalize:*`]) {
      const keys = await redis.keys(pattern);
      if (keys.length) removed += await redis.del(...keys);
    }
    await redis.quit();
    expect(removed).toBeGreaterThan(0);
    await svc.startWorker();
    const job = await svc.waitForState(id, ['completed', 'failed'], 30000);
    expect(job.status.state).toBe('completed');
    expect(svc.output.some((l) => l.includes('re-queued work for 1 job'))).toBe(true);
  });
});
