/**
 * The router's URI hit (kong.md §5) without scanning every path: the first regex path in priority
 * order that matches, else the longest plain path that prefixes the request path.
 *
 * - Plain paths are grouped by length: a request checks one Set per distinct length (longest
 *   first), not every path.
 * - Regex paths are indexed by their literal head (the characters before the first regex
 *   syntax, `/svc/items/` of `~/svc/items/(\\d+)$`): only regexes whose head prefixes the request
 *   path are tested, in the original priority order. A regex with no usable head (alternation at
 *   the top, an optional first character…) is always tested.
 */

interface RegexUri {
  value: string;
  regex: RegExp;
}

interface Ranked {
  rank: number;
  u: RegexUri;
}

const SYNTAX = new Set(['\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$']);
const QUANTIFIER = new Set(['*', '?', '{', '+']);

/** The literal characters every match of the anchored regex path `~…` starts with. */
export function literalHead(path: string): string {
  const src = path.startsWith('~') ? path.slice(1) : path;
  if (src.includes('|')) return '';
  let i = 0;
  while (i < src.length && !SYNTAX.has(src[i])) i++;
  // A quantifier after the last literal makes that character optional (`/ab?`, `/ab*`, `/ab{0,1}`).
  return i < src.length && QUANTIFIER.has(src[i]) ? src.slice(0, Math.max(0, i - 1)) : src.slice(0, i);
}

const descending = (keys: Iterable<string>): number[] => [...new Set([...keys].map((k) => k.length))].sort((a, b) => b - a);
/** The first `len` characters of `path` (`len` ≤ its length). */
const prefix = (path: string, len: number): string => (len === path.length ? path : path.slice(0, len));

export class UriIndex {
  private readonly plain: Map<string, string>;
  private readonly plainLengths: number[];
  /** Regexes by literal head, each entry with its rank in priority order. */
  private readonly byHead = new Map<string, Ranked[]>();
  private readonly headLengths: number[];
  private readonly headless: Ranked[] = [];

  /** `regexes` in priority order (first match wins). */
  constructor(regexes: readonly RegexUri[], plain: Iterable<string>) {
    this.plain = new Map([...plain].map((p) => [p, p]));
    this.plainLengths = descending(this.plain.keys());
    regexes.forEach((u, rank) => {
      const head = literalHead(u.value);
      if (head === '') this.headless.push({ rank, u });
      else indexAdd(this.byHead, head, { rank, u });
    });
    this.headLengths = descending(this.byHead.keys());
  }

  hit(path: string): string | null {
    const re = this.regexHit(path);
    if (re !== null) return re;
    for (const len of this.plainLengths) {
      if (len > path.length) continue;
      const p = this.plain.get(prefix(path, len));
      if (p !== undefined) return p;
    }
    return null;
  }

  private regexHit(path: string): string | null {
    let candidates: Ranked[] = this.headless;
    let merged = false;
    for (const len of this.headLengths) {
      if (len > path.length) continue;
      const list = this.byHead.get(prefix(path, len));
      if (list === undefined) continue;
      if (candidates.length > 0) {
        merged = true;
        candidates = candidates.concat(list);
      } else candidates = list;
    }
    // Several groups (a fresh array): back to priority order (each group is in order already).
    if (merged) candidates.sort((a, b) => a.rank - b.rank);
    for (const c of candidates) if (c.u.regex.test(path)) return c.u.value;
    return null;
  }
}

/**
 * Which routes of one router category can match a request path, by their URIs: those with a plain
 * path that prefixes it, those with a regex path whose literal head prefixes it, and those with a
 * regex path that has no usable head. The router tries every route of a category after the ones
 * its hit reduced it to (kong.md §5: Kong does so too); in a category whose routes all have paths,
 * a route outside this set cannot match, so it is not tried. With many regex routes that saves a
 * regex test per route on every request, and after a reload, compiling each of the new router's
 * regexes on the first request that would have tested it.
 */
export class UriCandidates {
  /** Plain path → the ranks (positions in the category) of the routes that have it. */
  private readonly plain = new Map<string, number[]>();
  private readonly heads = new Map<string, number[]>();
  private readonly headless: number[] = [];
  /** Each map of ranks with its key lengths, longest first (set by `seal`). */
  private sources: ReadonlyArray<readonly [Map<string, number[]>, readonly number[]]> = [];

  /** The route at `rank` (added in the category's order) and its paths. */
  add(rank: number, uris: ReadonlyArray<{ value: string; regex: RegExp | null }>): void {
    for (const u of uris) {
      if (!u.regex) indexAdd(this.plain, u.value, rank);
      else {
        // a case-insensitive regex may match a path its head does not prefix
        const head = u.regex.ignoreCase ? '' : literalHead(u.value);
        if (head === '') pushOnce(this.headless, rank);
        else indexAdd(this.heads, head, rank);
      }
    }
  }

  /** Once every route is added. */
  seal(): void {
    this.sources = [[this.plain, descending(this.plain.keys())], [this.heads, descending(this.heads.keys())]];
  }

  /** The ranks of the routes that can match `path`, ascending, each once. */
  ranks(path: string): number[] {
    let out: number[] = this.headless;
    let fresh = false;
    for (const [lists, lengths] of this.sources) {
      for (const len of lengths) {
        const list = len <= path.length ? lists.get(prefix(path, len)) : undefined;
        if (list === undefined) continue;
        if (out.length === 0) out = list;
        else {
          out = out.concat(list);
          fresh = true;
        }
      }
    }
    if (!fresh) return out;
    out.sort((a, b) => a - b);
    let n = 0;
    for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i];
    out.length = n;
    return out;
  }
}

/**
 * Appends `v` unless it is already there. The router's indexes add a route's values together (all
 * its paths, all its hosts…), so a value already in a list is its last element.
 */
function pushOnce<V>(list: V[], v: V): void {
  if (list[list.length - 1] !== v) list.push(v);
}

/** `v` into the list of `k` in `m` (pushOnce), the list made on first use. */
export function indexAdd<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else pushOnce(list, v);
}
