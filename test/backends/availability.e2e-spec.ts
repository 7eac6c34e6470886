import { startFakeModel } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { EvalHubService } from '../support/service';

/** A deployment without one backend's environment says so, and refuses its jobs at submit. */
describe('backend availability', () => {
  const svc = new EvalHubService({ EVALHUB_VENV_GARAK: '/nonexistent/garak-env' });
  beforeAll(() => svc.start());
  afterAll(() => svc.stop());

  it('lists the provider as not runnable with the setup command, refuses its jobs, and the worker says so once', async () => {
    const garak = (await svc.request('GET', '/api/v1/evaluations/providers/garak')).body;
    expect(garak.availability).toEqual({
      runnable: false,
      runtime: 'local',
      executor: 'garak',
      reason: 'the garak environment is not installed on this worker: run npm run setup -- --backends garak',
    });
    const others = (await svc.request('GET', '/api/v1/evaluations/providers?limit=100')).body.items;
    expect(others.find((p: any) => p.resource.id === 'ragas').availability).toEqual({ runnable: true, runtime: 'local', executor: 'ragas' });

    const fake = await startFakeModel();
    try {
      const before = (await svc.request('GET', '/api/v1/evaluations/jobs')).body.total_count;
      const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
        name: 'needs garak',
        model: { url: fake.url, name: 'fake-model' },
        benchmarks: [{ id: 'quick', provider_id: 'garak' }],
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message_code: 'provider_not_runnable' });
      expect(res.body.message).toContain("provider 'garak' cannot run here");
      expect(res.body.message).toContain('npm run setup -- --backends garak');
      expect((await svc.request('GET', '/api/v1/evaluations/jobs')).body.total_count).toBe(before);
    } finally {
      await fake.close();
    }
    await waitFor('worker line', async () => svc.output.some((l) => l.includes('garak backend unavailable') && l.includes('npm run setup -- --backends garak')) || undefined, 10000);
  });
});
