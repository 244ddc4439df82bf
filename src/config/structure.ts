/**
 * A state file is a tree of JSON values. YAML can say more: an alias inside its own anchor makes a
 * cycle (`services: &s [{tags: *s}]`), and nesting can go deeper than anything recursive downstream
 * survives. Both are found here, on the parsed YAML nodes and without recursion, before the
 * document is turned into JavaScript values, and reported at the offending node.
 */
import { isAlias, isMap, isPair, isSeq, Parser, type CST, type Document, type Node } from 'yaml';

/** Deepest nesting of collections a state file may have (Kong's own files stay under 20). */
export const MAX_DEPTH = 100;

export const TOO_DEEP = `nested more than ${MAX_DEPTH} levels deep: a state file cannot hold structures this deep`;

export interface StructureProblem {
  /** Offset in the parsed text. */
  offset: number;
  message: string;
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      if (pair.key !== null && typeof pair.key === 'object') out.push(pair.key as Node);
      if (pair.value !== null && typeof pair.value === 'object') out.push(pair.value as Node);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) if (item !== null && typeof item === 'object') out.push(item as Node);
  }
  return out;
}

const at = (node: Node): number => node.range?.[0] ?? 0;

/**
 * The first cycle (an alias whose anchor contains it) or over-deep nesting, or null. Depth counts
 * through aliases, as the JavaScript value will have it; a subtree reached again by another alias
 * is not walked twice (its height is remembered), so alias fan-out stays linear.
 */
export function structureProblem(doc: Document.Parsed): StructureProblem | null {
  const root = doc.contents;
  if (root === null || typeof root !== 'object') return null;
  /** Height (levels of collections below and including the node) of fully walked nodes. */
  const height = new Map<Node, number>();
  const open = new Set<Node>();
  interface Frame { node: Node; depth: number; kids: Node[]; next: number; max: number }
  const level = (n: Node): number => (isMap(n) || isSeq(n) ? 1 : 0);
  const stack: Frame[] = [{ node: root as Node, depth: level(root as Node), kids: children(root as Node), next: 0, max: 0 }];
  open.add(root as Node);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.depth > MAX_DEPTH) return { offset: at(f.node), message: TOO_DEEP };
    if (f.next >= f.kids.length) {
      stack.pop();
      open.delete(f.node);
      height.set(f.node, level(f.node) + f.max);
      if (stack.length > 0) {
        const parent = stack[stack.length - 1];
        parent.max = Math.max(parent.max, level(f.node) + f.max);
      }
      continue;
    }
    const kid = f.kids[f.next++];
    let target: Node = kid;
    if (isAlias(kid)) {
      const resolved = kid.resolve(doc);
      if (resolved === undefined) continue; // reported as an unresolved alias
      if (open.has(resolved as Node)) {
        return { offset: at(kid), message: `alias *${kid.source} refers to its own anchor &${kid.source}: the value would contain itself (a cycle); state files must be trees` };
      }
      target = resolved as Node;
    }
    const known = height.get(target);
    if (known !== undefined) {
      if (f.depth + known > MAX_DEPTH) return { offset: at(kid), message: TOO_DEEP };
      f.max = Math.max(f.max, known);
      continue;
    }
    open.add(target);
    stack.push({ node: target, depth: f.depth + level(target), kids: children(target), next: 0, max: 0 });
  }
  return null;
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/**
 * Where nesting first goes deeper than MAX_DEPTH, from the parser's concrete syntax tree (built
 * without recursion): for text the YAML composer could not even finish, its stack exhausted.
 */
export function deepOffset(text: string): number | null {
  const stack: Array<{ token: CST.Token | undefined; depth: number }> = [];
  for (const doc of new Parser().parse(text)) if (doc.type === 'document') stack.push({ token: doc.value, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token === undefined || !COLLECTIONS.has(token.type)) continue;
    const d = depth + 1;
    const c = token as CST.BlockMap | CST.BlockSequence | CST.FlowCollection;
    if (d > MAX_DEPTH) return c.offset;
    for (const item of c.items) {
      const kv = item as { key?: CST.Token | null; value?: CST.Token };
      if (kv.key) stack.push({ token: kv.key, depth: d });
      stack.push({ token: kv.value, depth: d });
    }
  }
  return null;
}

/** Whether a JavaScript value (parsed JSON) nests collections deeper than `max`, walked without recursion. */
export function tooDeep(value: unknown, max = MAX_DEPTH): boolean {
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  while (stack.length > 0) {
    const { v, d } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push({ v: child, d: d + 1 });
  }
  return false;
}
