/**
 * A state file is a tree of JSON values. YAML can say more: an alias inside its own anchor makes a
 * cycle (`services: &s [{tags: *s}]`), and nesting can go deeper than anything recursive downstream
 * survives. Both are found here, on the parsed YAML nodes and without recursion, before the
 * document is turned into JavaScript values, and reported at the offending node.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, Parser, type CST, type Document, type Node } from 'yaml';

/** Deepest nesting of collections a state file may have (Kong's own files stay under 20). */
export const MAX_DEPTH = 100;

export const TOO_DEEP = `nested more than ${MAX_DEPTH} levels deep: a state file cannot hold structures this deep`;

/** Most values a document may have once its aliases are expanded (a 50,000-line file has ~150,000). */
export const MAX_EXPANDED = 2_000_000;

const TOO_BIG = `aliases expand this document to more than ${String(MAX_EXPANDED).replace(/\B(?=(\d{3})+$)/g, ',')} values (each alias copies its anchor's value): a state file cannot be this large`;

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
 * What every alias of the document refers to: the last node with its anchor before it, in document
 * order (YAML's rule, as `Alias.resolve` applies it) — found in one walk without recursion, where
 * `Alias.resolve` walks the whole document once per alias (50,000 aliases took minutes).
 */
export function aliasTargets(doc: Document.Parsed): Map<Node, Node | undefined> {
  let known = targetsOf.get(doc);
  if (known === undefined) {
    known = findTargets(doc);
    targetsOf.set(doc, known);
  }
  return known;
}

/** aliasTargets of each document (structureProblem and documentValue both need them; a document is not changed once parsed). */
const targetsOf = new WeakMap<Document.Parsed, Map<Node, Node | undefined>>();

function findTargets(doc: Document.Parsed): Map<Node, Node | undefined> {
  const out = new Map<Node, Node | undefined>();
  const anchors = new Map<string, Node>();
  const root = doc.contents;
  if (root === null || typeof root !== 'object') return out;
  const stack: Node[] = [root as Node];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isAlias(node)) {
      out.set(node, anchors.get(node.source));
      continue;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return out;
}

/**
 * The first cycle (an alias whose anchor contains it) or over-deep nesting, or null. Depth counts
 * through aliases, as the JavaScript value will have it; a subtree reached again by another alias
 * is not walked twice (its height is remembered), so alias fan-out stays linear.
 */
export function structureProblem(doc: Document.Parsed): StructureProblem | null {
  const root = doc.contents;
  if (root === null || typeof root !== 'object') return null;
  const targets = aliasTargets(doc);
  if (targets.size === 0) {
    const tree = treeDepth(root as Node);
    if (tree !== 'big') return tree;
  }
  /** Height (levels of collections below and including the node) and expanded size of fully walked nodes. */
  const height = new Map<Node, number>();
  const size = new Map<Node, number>();
  const open = new Set<Node>();
  interface Frame { node: Node; depth: number; kids: Node[]; next: number; max: number; size: number }
  const level = (n: Node): number => (isMap(n) || isSeq(n) ? 1 : 0);
  const stack: Frame[] = [{ node: root as Node, depth: level(root as Node), kids: children(root as Node), next: 0, max: 0, size: 1 }];
  open.add(root as Node);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.depth > MAX_DEPTH) return { offset: at(f.node), message: TOO_DEEP };
    if (f.next >= f.kids.length) {
      stack.pop();
      open.delete(f.node);
      height.set(f.node, level(f.node) + f.max);
      size.set(f.node, f.size);
      if (stack.length > 0) {
        const parent = stack[stack.length - 1];
        parent.max = Math.max(parent.max, level(f.node) + f.max);
        parent.size += f.size;
        if (parent.size > MAX_EXPANDED) return { offset: at(parent.node), message: TOO_BIG };
      }
      continue;
    }
    const kid = f.kids[f.next++];
    let target: Node = kid;
    if (isAlias(kid)) {
      const resolved = targets.get(kid);
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
      f.size += size.get(target) ?? 1;
      if (f.size > MAX_EXPANDED) return { offset: at(kid), message: TOO_BIG };
      continue;
    }
    open.add(target);
    stack.push({ node: target, depth: f.depth + level(target), kids: children(target), next: 0, max: 0, size: 1 });
  }
  return null;
}

/**
 * structureProblem of a document without aliases (most): a tree, so only its depth can be wrong,
 * found in one walk in document order without the bookkeeping aliases need. 'big': more values
 * than MAX_EXPANDED, left to the full walk (which says where).
 */
function treeDepth(root: Node): StructureProblem | null | 'big' {
  const level = (n: Node): number => (isMap(n) || isSeq(n) ? 1 : 0);
  const stack: Array<{ node: Node; depth: number }> = [{ node: root, depth: level(root) }];
  let values = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) return { offset: at(node), message: TOO_DEEP };
    if (++values > MAX_EXPANDED) return 'big';
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i], depth: depth + level(kids[i]) });
  }
  return null;
}

/** The value of a document without aliases: a tree at most MAX_DEPTH deep (structureProblem said so), built by recursion. */
function treeValue(n: Node): unknown {
  if (isScalar(n)) return n.value;
  if (isSeq(n)) return n.items.map((item) => (item === null || typeof item !== 'object' ? item : treeValue(item as Node)));
  const obj: Record<string, unknown> = {};
  if (!isMap(n)) return obj;
  for (const pair of n.items) {
    if (!isPair(pair)) continue;
    const k = pair.key !== null && typeof pair.key === 'object' ? treeValue(pair.key as Node) : pair.key;
    const key = k === null || k === undefined ? '' : typeof k === 'object' ? JSON.stringify(k) : String(k);
    setKey(obj, key, pair.value !== null && typeof pair.value === 'object' ? treeValue(pair.value as Node) : (pair.value ?? null));
  }
  return obj;
}

/** Sets `key` on `obj` as an own property, `__proto__` included (as YAML's own toJS does). */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/**
 * The JavaScript value of a document that `structureProblem` accepted (a tree once aliases are
 * expanded, at most MAX_DEPTH deep, only JSON tags), without recursion. An alias gives the value
 * of its anchor (the same object, as YAML's toJS gives): YAML's own toJS looks every alias up in
 * a list of every anchor and alias of the document, quadratic in their number.
 */
export function documentValue(doc: Document.Parsed): unknown {
  const root = doc.contents as Node | null;
  if (root === null || typeof root !== 'object') return root ?? null;
  const targets = aliasTargets(doc);
  if (targets.size === 0) return treeValue(root);
  const done = new Map<Node, unknown>();
  const stack: Array<{ node: Node; expanded: boolean }> = [{ node: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const n = top.node;
    if (done.has(n)) {
      stack.pop();
      continue;
    }
    if (isAlias(n)) {
      const t = targets.get(n);
      if (t === undefined) throw new Error(`unresolved alias *${n.source}`);
      if (done.has(t)) {
        done.set(n, done.get(t));
        stack.pop();
      } else stack.push({ node: t, expanded: false });
      continue;
    }
    if (isScalar(n)) {
      done.set(n, n.value);
      stack.pop();
      continue;
    }
    const kids = children(n);
    if (!top.expanded) {
      top.expanded = true;
      for (let i = kids.length - 1; i >= 0; i--) if (!done.has(kids[i])) stack.push({ node: kids[i], expanded: false });
      continue;
    }
    stack.pop();
    done.set(n, isSeq(n) ? n.items.map((item) => (item === null || typeof item !== 'object' ? item : done.get(item as Node))) : mapValue(n, done));
  }
  return done.get(root);
}

function mapValue(n: Node, done: Map<Node, unknown>): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  if (!isMap(n)) return obj;
  for (const pair of n.items) {
    if (!isPair(pair)) continue;
    const k = pair.key !== null && typeof pair.key === 'object' ? done.get(pair.key as Node) : pair.key;
    const key = k === null || k === undefined ? '' : typeof k === 'object' ? JSON.stringify(k) : String(k);
    const v = pair.value !== null && typeof pair.value === 'object' ? done.get(pair.value as Node) : (pair.value ?? null);
    setKey(obj, key, v);
  }
  return obj;
}

/**
 * Offsets of the keys that repeat an earlier key of their map (scalar keys of equal value, YAML's
 * `uniqueKeys` rule), in one walk without recursion: YAML's own check compares every key with
 * every earlier key of its map, quadratic in the size of the map.
 */
export function duplicateKeys(doc: Document.Parsed): number[] {
  const out: number[] = [];
  const root = doc.contents;
  if (root === null || typeof root !== 'object') return out;
  const stack: Node[] = [root as Node];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const v = pair.key.value;
        const k = `${typeof v}:${String(v)}`;
        if (seen.has(k)) out.push(at(pair.key));
        else seen.add(k);
      }
    }
    stack.push(...children(node).filter((c) => !isAlias(c)));
  }
  return out.sort((a, b) => a - b);
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
