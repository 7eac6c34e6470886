import { ApiError } from '../errors/api-error';
import { BODY_LIMITS, jsonDepth, nullMeansAbsent, parseJsonBody, withoutNulls } from './json-body';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as ApiError).code;
  }
  return 'ok';
};

describe('JSON bodies', () => {
  it.each([
    ['{}', 1],
    ['[[1],[2,[3]]]', 3],
    ['{"a":"[[[[{{{"}', 1],
    ['{"a":"\\"[[["}', 1],
    ['"x"', 0],
  ])('depth of %s is %d', (text, d) => expect(jsonDepth(text)).toBe(d));

  it('refuses deep nesting before parsing, as a 400', () => {
    const deep = '['.repeat(2400) + ']'.repeat(2400);
    expect(codeOf(() => parseJsonBody(deep))).toBe('json_too_deep');
    const ok = '['.repeat(BODY_LIMITS.maxDepth) + ']'.repeat(BODY_LIMITS.maxDepth);
    expect(codeOf(() => parseJsonBody(ok))).toBe('ok');
  });

  it('refuses oversized strings, arrays and keys naming where', () => {
    expect(() => parseJsonBody(JSON.stringify({ a: { description: 'x'.repeat(BODY_LIMITS.maxStringLength + 1) } }))).toThrow(/a\.description is longer/);
    expect(() => parseJsonBody(JSON.stringify({ list: new Array(BODY_LIMITS.maxArrayLength + 1).fill(0) }))).toThrow(/list has more than/);
    expect(() => parseJsonBody(JSON.stringify({ ['k'.repeat(300)]: 1 }))).toThrow(/key longer/);
  });

  it('parses ordinary bodies; empty is none; broken JSON is invalid_json_request', () => {
    expect(parseJsonBody('{"a":[1,{"b":"c"}]}')).toEqual({ a: [1, { b: 'c' }] });
    expect(parseJsonBody('  ')).toBeUndefined();
    expect(codeOf(() => parseJsonBody('{"a":'))).toBe('invalid_json_request');
  });

  it('reads null members of resource bodies as not given (not in events or patches)', () => {
    expect(withoutNulls({ a: null, b: { c: null, d: 1 }, e: [null, { f: null }] })).toEqual({ b: { d: 1 }, e: [null, {}] });
    expect(nullMeansAbsent('POST', '/api/v1/evaluations/jobs')).toBe(true);
    expect(nullMeansAbsent('PUT', '/api/v1/evaluations/providers/p1')).toBe(true);
    expect(nullMeansAbsent('POST', '/api/v1/evaluations/jobs/j1/events')).toBe(false);
    expect(nullMeansAbsent('PATCH', '/api/v1/evaluations/providers/p1')).toBe(false);
  });
});
