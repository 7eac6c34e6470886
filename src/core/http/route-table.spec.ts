import { knownMethodsFor, registerRoute } from './route-table';

describe('route table', () => {
  it('answers the methods registered for a path, parameters matched by segment', () => {
    registerRoute('/api/v1/things', ['GET', 'POST']);
    registerRoute('/api/v1/things/:id', 'DELETE');
    registerRoute('/api/v1/things/:id', 'GET');
    registerRoute('/docs/*', 'GET');
    expect(knownMethodsFor('/api/v1/things').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(knownMethodsFor('/api/v1/things/abc/').sort()).toEqual(['DELETE', 'GET', 'HEAD']);
    expect(knownMethodsFor('/api/v1/things/abc/more')).toEqual([]);
    expect(knownMethodsFor('/docs/x')).toEqual([]);
  });
});
