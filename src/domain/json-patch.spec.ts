import { applyPatch, COLLECTION_PATCH_RULES, PROVIDER_PATCH_RULES } from './json-patch';

describe('applyPatch', () => {
  const doc = { resource: { id: 'x' }, name: 'n', tags: ['a'], benchmarks: [{ id: 'b', weight: 1 }] };

  it('applies allowed operations on a copy', () => {
    const out = applyPatch(doc, [
      { op: 'replace', path: '/name', value: 'n2' },
      { op: 'add', path: '/tags/-', value: 'b' },
      { op: 'replace', path: '/benchmarks/0/weight', value: 3 },
      { op: 'add', path: '/description', value: 'd' },
    ], COLLECTION_PATCH_RULES);
    expect(out).toMatchObject({ name: 'n2', tags: ['a', 'b'], benchmarks: [{ id: 'b', weight: 3 }], description: 'd' });
    expect(doc.name).toBe('n');
  });

  it.each([
    [{ op: 'replace', path: '/resource/id', value: 'y' }, 'unallowed_patch'],
    [{ op: 'remove', path: '/name' }, 'unallowed_patch'],
    [{ op: 'add', path: '/benchmarks/-', value: {} }, 'unallowed_patch'],
    [{ op: 'move', path: '/name', from: '/x' }, 'invalid_patch_operation'],
    [{ op: 'replace', path: 'name', value: 1 }, 'invalid_patch_operation'],
    [{ op: 'replace', path: '/description', value: 1 }, 'invalid_patch_operation'],
  ])('%j -> %s', (op, code) => {
    expect(() => applyPatch(doc, [op], PROVIDER_PATCH_RULES)).toThrow(expect.objectContaining({ code }));
  });

  it('rejects a body that is not a list of operations', () => {
    expect(() => applyPatch(doc, { op: 'replace' }, PROVIDER_PATCH_RULES)).toThrow(expect.objectContaining({ code: 'invalid_patch_operation' }));
  });
});
