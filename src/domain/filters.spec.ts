import { assertKnownParams, matchesFilter, paginate, parseFilter, parsePage } from './filters';

describe('filters', () => {
  it('AND of comma terms, OR of pipe terms, negation with !', () => {
    expect(matchesFilter(parseFilter('a,b'), ['a', 'b', 'c'])).toBe(true);
    expect(matchesFilter(parseFilter('a,b'), ['a'])).toBe(false);
    expect(matchesFilter(parseFilter('pending|running'), 'running')).toBe(true);
    expect(matchesFilter(parseFilter('pending|running'), 'failed')).toBe(false);
    expect(matchesFilter(parseFilter('!system'), 'alice')).toBe(true);
    expect(matchesFilter(parseFilter(['a', 'b']), ['b'])).toBe(false);
    expect(matchesFilter(undefined, 'x')).toBe(true);
  });

  it('validates limit and offset', () => {
    expect(parsePage({})).toEqual({ limit: 50, offset: 0 });
    expect(() => parsePage({ limit: '-1' })).toThrow(expect.objectContaining({ code: 'query_parameter_invalid' }));
    expect(() => parsePage({ offset: '-1' })).toThrow("The query parameter 'offset' is not a valid positive integer: '-1'.");
    expect(parsePage({ limit: '0' })).toEqual({ limit: 1000, offset: 0 });
    expect(() => parsePage({ limit: '1001' })).toThrow(expect.objectContaining({ code: 'query_parameter_invalid' }));
    for (const big of ['9223372036854775808', '99999999999999999999999', '1000000001']) {
      expect(() => parsePage({ offset: big })).toThrow(expect.objectContaining({ code: 'query_parameter_invalid' }));
    }
    expect(() => parsePage({ offset: 'x' })).toThrow(expect.objectContaining({ code: 'query_parameter_invalid' }));
  });

  it('rejects unknown parameters', () => {
    expect(() => assertKnownParams({ foo: '1' }, ['limit'])).toThrow(expect.objectContaining({ code: 'query_bad_parameter' }));
  });

  it('builds first/next links and stops at the end', () => {
    const p = paginate([1, 2, 3, 4, 5], { limit: 2, offset: 2 }, '/x?limit=2&offset=2&status=a');
    expect(p).toMatchObject({ items: [3, 4], total_count: 5, first: { href: '/x?limit=2&offset=2&status=a' } });
    expect(p.next?.href).toBe('/x?limit=2&offset=4&status=a');
    expect(paginate([1, 2, 3], { limit: 2, offset: 2 }, '/x').next).toBeUndefined();
    expect(paginate([1, 2, 3], { limit: 0, offset: 0 }, '/x')).toMatchObject({ items: [1, 2, 3] });
    expect(paginate([1, 2, 3], { limit: 0, offset: 0 }, '/x').next).toBeUndefined();
  });
});
