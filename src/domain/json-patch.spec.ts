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
    [{ op: 'remove', path: '/description' }, 'invalid_patch_operation'],
    [{ op: 'replace', path: '/runtime/local/command', value: 'x' }, 'invalid_patch_operation'],
    [{ op: 'add', path: '/runtime', value: {} }, 'unallowed_patch'],
    [{ op: 'add', path: '/custom/__proto__/polluted', value: 1 }, 'invalid_patch_operation'],
  ])('%j -> %s', (op, code) => {
    expect(() => applyPatch(doc, [op], PROVIDER_PATCH_RULES)).toThrow(expect.objectContaining({ code }));
  });

  it('replaces an absent member by adding it, as upstream does', () => {
    const out = applyPatch(doc, [{ op: 'replace', path: '/runtime', value: { local: { command: 'run' } } }], PROVIDER_PATCH_RULES);
    expect(out).toMatchObject({ runtime: { local: { command: 'run' } } });
  });

  it('never reaches Object.prototype through a path', () => {
    const withCustom = { ...doc, custom: {} };
    expect(() => applyPatch(withCustom, [{ op: 'add', path: '/custom/constructor/prototype/polluted', value: 1 }], PROVIDER_PATCH_RULES)).toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names the operation and path, and the operations that are allowed there, in upstream's words", () => {
    expect(() => applyPatch(doc, [{ op: 'remove', path: '/name' }], PROVIDER_PATCH_RULES)).toThrow(
      "The operation 'remove' is not allowed for the path '/name'. Allowed operations are: replace.",
    );
    expect(() => applyPatch(doc, [{ op: 'move', path: '/name' }], PROVIDER_PATCH_RULES)).toThrow(
      "The patch operation 'move' is not valid. Allowed operations are: replace, add, remove.",
    );
    expect(() => applyPatch(doc, [{ op: 'replace', path: '/resource/id', value: 'y' }], PROVIDER_PATCH_RULES)).toThrow(
      "The operation 'replace' is not allowed for the path '/resource/id'.",
    );
  });

  it('rejects a body that is not a list of operations', () => {
    expect(() => applyPatch(doc, { op: 'replace' }, PROVIDER_PATCH_RULES)).toThrow(expect.objectContaining({ code: 'invalid_patch_operation' }));
  });
});
