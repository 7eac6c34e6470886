import { readsAsJson } from './json-body-types';

describe('readsAsJson', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['text/plain;charset=UTF-8', true],
    ['application/x-www-form-urlencoded', true],
    ['Application/JSON-Patch+JSON', true],
    ['multipart/form-data; boundary=x', false],
    ['application/xml', false],
    ['application/octet-stream', false],
  ])('%j -> %s', (ct, expected) => {
    expect(readsAsJson(ct)).toBe(expected);
  });
});
