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
      else {
        const list = this.byHead.get(head);
        if (list) list.push({ rank, u });
        else this.byHead.set(head, [{ rank, u }]);
      }
    });
    this.headLengths = descending(this.byHead.keys());
  }

  hit(path: string): string | null {
    const re = this.regexHit(path);
    if (re !== null) return re;
    for (const len of this.plainLengths) {
      if (len > path.length) continue;
      const p = this.plain.get(len === path.length ? path : path.slice(0, len));
      if (p !== undefined) return p;
    }
    return null;
  }

  private regexHit(path: string): string | null {
    let candidates: Ranked[] = this.headless;
    let merged = false;
    for (const len of this.headLengths) {
      if (len > path.length) continue;
      const list = this.byHead.get(len === path.length ? path : path.slice(0, len));
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
