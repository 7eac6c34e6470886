import { atLeast, chooseTenant, roleFor, TENANT_PATTERN, USER_PATTERN, verbAndResource } from './access';

describe('access rules', () => {
  it.each([
    ['GET', '/api/v1/evaluations/jobs', 'list', 'evaluationjobs'],
    ['GET', '/api/v1/evaluations/jobs/abc', 'get', 'evaluationjobs'],
    ['GET', '/api/v1/evaluations/jobs/abc/logs', 'get', 'evaluationjobs'],
    ['POST', '/api/v1/evaluations/jobs', 'create', 'evaluationjobs'],
    ['DELETE', '/api/v1/evaluations/jobs/abc', 'delete', 'evaluationjobs'],
    ['PATCH', '/api/v1/evaluations/providers/p', 'update', 'providers'],
    ['PUT', '/api/v1/evaluations/collections/c', 'update', 'collections'],
  ])('%s %s is %s on %s', (method, path, verb, resource) => {
    expect(verbAndResource(method, path)).toEqual({ verb, resource });
  });

  it('ranks roles', () => {
    expect(atLeast('admin', 'submitter')).toBe(true);
    expect(atLeast('viewer', 'submitter')).toBe(false);
    expect(atLeast(undefined, 'viewer')).toBe(false);
    expect(roleFor('list')).toBe('viewer');
    expect(roleFor('delete')).toBe('submitter');
  });

  it('chooses the tenant among those the token may use', () => {
    const one = { user: 'a', tenants: ['team-a'], role: 'submitter' as const };
    const two = { user: 'b', tenants: ['team-a', 'team-b'], role: 'submitter' as const };
    const all = { user: 'c', tenants: '*' as const, role: 'admin' as const };
    expect(chooseTenant(one, undefined, true)).toEqual({ tenant: 'team-a' });
    expect(chooseTenant(one, 'team-b', true)).toEqual({ error: 'not_allowed' });
    expect(chooseTenant(two, undefined, false)).toEqual({ error: 'missing' });
    expect(chooseTenant(two, 'team-b', true)).toEqual({ tenant: 'team-b' });
    expect(chooseTenant(all, undefined, false)).toEqual({ tenant: undefined });
    expect(chooseTenant(all, undefined, true)).toEqual({ error: 'missing' });
  });

  it.each([
    ['team-a', true],
    ['a', true],
    ['../etc', false],
    ['{t}', false],
    ['Team', false],
    ['x'.repeat(64), false],
    ['-a', false],
  ])('tenant %s valid: %s', (t, ok) => expect(TENANT_PATTERN.test(t)).toBe(ok));

  it.each([
    ['alice', true],
    ['system:serviceaccount:ns:evalhub-job', true],
    ['alice@example.com', true],
    ['a b', false],
    ['x'.repeat(300), false],
    ['{u}', false],
  ])('user %s valid: %s', (u, ok) => expect(USER_PATTERN.test(u)).toBe(ok));
});
