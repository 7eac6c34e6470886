import { DomainError } from './errors';

/** RFC 6902 subset used by PATCH on providers and collections (§1.5). */
export interface PatchOp {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

type Op = PatchOp['op'];
/** A rule allows some ops on an exact path, or (prefix) on the path and everything below it. */
export interface PatchRule {
  path: string;
  ops: Op[];
  prefix?: boolean;
}

const ARR: Op[] = ['add', 'remove', 'replace'];

export const PROVIDER_PATCH_RULES: PatchRule[] = [
  { path: '/name', ops: ['replace'] },
  { path: '/title', ops: ARR },
  { path: '/description', ops: ARR },
  { path: '/tags', ops: ARR, prefix: true },
  { path: '/custom', ops: ARR, prefix: true },
  { path: '/agent', ops: ARR, prefix: true },
  // Upstream allows only replace here; replacing an absent /runtime adds it (see applyOne).
  { path: '/runtime', ops: ['replace'], prefix: true },
  { path: '/benchmarks', ops: ['replace'], prefix: true },
];

export const COLLECTION_PATCH_RULES: PatchRule[] = [
  { path: '/name', ops: ['replace'] },
  { path: '/description', ops: ARR },
  { path: '/tags', ops: ARR, prefix: true },
  { path: '/custom', ops: ARR, prefix: true },
  { path: '/category', ops: ['replace'] },
  { path: '/benchmarks', ops: ['replace'], prefix: true },
  { path: '/pass_criteria', ops: ARR },
];

function rulesFor(path: string, rules: PatchRule[]): PatchRule[] {
  return rules.filter((r) => path === r.path || (r.prefix === true && path.startsWith(r.path + '/')));
}

export function isAllowedPatch(op: PatchOp, rules: PatchRule[]): boolean {
  return rulesFor(op.path, rules).some((r) => r.ops.includes(op.op));
}

/** The operations the rules allow on a path, in upstream's order (replace, add, remove). */
export function allowedOpsFor(path: string, rules: PatchRule[]): Op[] {
  const ops = new Set(rulesFor(path, rules).flatMap((r) => r.ops));
  return (['replace', 'add', 'remove'] as Op[]).filter((o) => ops.has(o));
}

/** Upstream's texts, which clients match on: "The operation 'x' is not allowed for the path '/p'". */
function unallowedMessage(op: PatchOp, rules: PatchRule[]): string {
  const allowed = allowedOpsFor(op.path, rules);
  const base = `The operation '${op.op}' is not allowed for the path '${op.path}'.`;
  return allowed.length ? `${base} Allowed operations are: ${allowed.join(', ')}.` : `${base} The path can not be changed.`;
}

function decodeSegment(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function checkOps(ops: unknown): PatchOp[] {
  if (!Array.isArray(ops) || ops.length === 0) {
    throw new DomainError('invalid_patch_operation', 'The patch must be a non-empty JSON array of operations.');
  }
  return ops.map((o, i) => {
    if (!o || typeof o !== 'object') throw new DomainError('invalid_patch_operation', `Patch operation ${i} is not an object.`);
    const op = o as Record<string, unknown>;
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') {
      throw new DomainError('invalid_patch_operation', `The patch operation '${String(op.op)}' is not valid. Allowed operations are: replace, add, remove.`);
    }
    if (typeof op.path !== 'string' || !op.path.startsWith('/')) {
      throw new DomainError('invalid_patch_operation', `Patch operation ${i} needs a path that starts with '/'.`);
    }
    if (op.op !== 'remove' && !('value' in op)) {
      throw new DomainError('invalid_patch_operation', `Patch operation ${i} (${op.op}) needs a value.`);
    }
    return op as unknown as PatchOp;
  });
}

/** Applies the operations to a deep copy of `doc`; the original is left untouched. */
export function applyPatch<T extends object>(doc: T, rawOps: unknown, rules: PatchRule[]): T {
  const ops = checkOps(rawOps);
  for (const op of ops) {
    if (!isAllowedPatch(op, rules)) {
      throw new DomainError('unallowed_patch', unallowedMessage(op, rules));
    }
  }
  const out = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops) applyOne(out, op);
  return out as T;
}

function applyOne(root: Record<string, unknown>, op: PatchOp): void {
  const segs = op.path.slice(1).split('/').map(decodeSegment);
  const last = segs.pop()!;
  let parent: unknown = root;
  if ([...segs, last].some((s) => s === '__proto__')) {
    throw new DomainError('invalid_patch_operation', `The path '${op.path}' is not valid.`);
  }
  for (const s of segs) {
    // Own members only: a path must never reach Object.prototype.
    const next = Array.isArray(parent) ? parent[Number(s)] : parent && Object.prototype.hasOwnProperty.call(parent, s) ? (parent as Record<string, unknown>)[s] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') {
      throw new DomainError('invalid_patch_operation', `The path '${op.path}' does not exist.`);
    }
    parent = next;
  }
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length || (op.op !== 'add' && idx >= parent.length)) {
      throw new DomainError('invalid_patch_operation', `The array index in '${op.path}' is out of range.`);
    }
    if (op.op === 'add') parent.splice(idx, 0, op.value);
    else if (op.op === 'replace') parent[idx] = op.value;
    else parent.splice(idx, 1);
    return;
  }
  const obj = parent as Record<string, unknown>;
  // A replace of an absent member adds it, as upstream's JSON Patch library does (e.g. replacing
  // /runtime on a provider that has none); removing an absent member is an error.
  if (op.op === 'remove' && !Object.prototype.hasOwnProperty.call(obj, last)) {
    throw new DomainError('invalid_patch_operation', `The path '${op.path}' does not exist.`);
  }
  if (op.op === 'remove') delete obj[last];
  else obj[last] = op.value;
}
