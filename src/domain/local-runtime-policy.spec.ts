import { localRuntimeRefusal, RuntimePolicy } from './local-runtime-policy';

describe('local runtime policy', () => {
  const shared: RuntimePolicy = { shared: true, role: 'submitter', tenant: 'team-a', tenantTasksDir: '/srv/tasks' };

  it('lets one user on loopback and admins set anything', () => {
    expect(localRuntimeRefusal({ command: 'rm -rf /' }, { ...shared, shared: false })).toBeUndefined();
    expect(localRuntimeRefusal({ command: 'python a.py', env: [] }, { ...shared, role: 'admin' })).toBeUndefined();
  });

  it('refuses tenant shell commands and environments where the service is shared', () => {
    expect(localRuntimeRefusal({ command: 'env' }, shared)).toMatch(/runtime\.local\.command/);
    expect(localRuntimeRefusal({ executor: 'lm_evaluation_harness', env: [{ name: 'LD_PRELOAD', value: 'x' }] } as never, shared)).toMatch(/runtime\.local\.env/);
  });

  it.each([
    ['/srv/tasks/team-a', undefined],
    ['/srv/tasks/team-a/mmlu-custom', undefined],
    ['/srv/tasks/team-a/../team-b', /inside this tenant/],
    ['/srv/tasks/team-ab', /inside this tenant/],
    ['/etc', /inside this tenant/],
  ])('include_path %s', (p, refusal) => {
    const r = localRuntimeRefusal({ include_path: p }, shared);
    if (refusal) expect(r).toMatch(refusal);
    else expect(r).toBeUndefined();
  });

  it('refuses tenant task folders when no tenant folder is configured', () => {
    expect(localRuntimeRefusal({ include_path: '/srv/tasks/team-a' }, { ...shared, tenantTasksDir: undefined })).toMatch(/TENANT_TASKS_DIR/);
  });
});
