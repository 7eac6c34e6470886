/** Set algebra over sets of ids (e.g. sorted-set indexes). `disjoint`: the operands share no member, so the size of the union is the sum. */
export type SetExpr<L> = { leaf: L } | { union: SetExpr<L>[]; disjoint: boolean } | { inter: SetExpr<L>[] } | { diff: SetExpr<L>; minus: SetExpr<L>[] };

export function mapLeaves<L, M>(e: SetExpr<L>, f: (leaf: L) => M): SetExpr<M> {
  if ('leaf' in e) return { leaf: f(e.leaf) };
  if ('union' in e) return { union: e.union.map((x) => mapLeaves(x, f)), disjoint: e.disjoint };
  if ('inter' in e) return { inter: e.inter.map((x) => mapLeaves(x, f)) };
  return { diff: mapLeaves(e.diff, f), minus: e.minus.map((x) => mapLeaves(x, f)) };
}

export function leavesOf<L>(e: SetExpr<L>): L[] {
  if ('leaf' in e) return [e.leaf];
  if ('union' in e) return e.union.flatMap(leavesOf);
  if ('inter' in e) return e.inter.flatMap(leavesOf);
  return [...leavesOf(e.diff), ...e.minus.flatMap(leavesOf)];
}

