import { knownMethodsFor, registerRoute } from './route-table';

describe('route table', () => {
  it('answers the methods registered for a path, parameters matched by segment', () => {
    registerRoute('/api/v1/things', ['GET', 'POST']);
    registerRoute('/api/v1/things/:id', 'DELETE');
    registerRoute('/api/v1/things/:id', 'GET');
    registerRoute('/docs/*', 'GET');
    expect(knownMethodsFor('/api/v1/things').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(knownMethodsFor('/api/v1/things/abc').sort()).toEqual(['DELETE', 'GET', 'HEAD']);
    // A trailing slash is an empty id, not the list route: no methods, so 404 rather than 405.
    expect(knownMethodsFor('/api/v1/things/')).toEqual([]);
    expect(knownMethodsFor('/api/v1/things/abc/')).toEqual([]);
    expect(knownMethodsFor('/api/v1/things/abc/more')).toEqual([]);
    expect(knownMethodsFor('/docs/x')).toEqual([]);
  });

  it('a fixed segment wins over a parameter, as in the router', () => {
    registerRoute('/api/v1/things/compare', 'GET');
    expect(knownMethodsFor('/api/v1/things/compare').sort()).toEqual(['GET', 'HEAD']);
    expect(knownMethodsFor('/api/v1/things/other').sort()).toEqual(['DELETE', 'GET', 'HEAD']);
  });
});
