/**
 * Diffs of two string values, for people reading a plan:
 *   - a long single-line string becomes one line with its changed words marked
 *     (`Always answer [-politely-]{+briefly+} and concisely` in plain text),
 *   - a multi-line string becomes a line diff (3 lines of context), each changed line again
 *     showing its changed words when the old and new line are alike,
 *   - anything else (short values, complete rewrites) stays a `-` / `+` pair.
 * Long unchanged runs are shortened to their ends around `…`. Pure; jsdiff does the diffing.
 * Callers never pass secrets here: a masked value is never word-diffed (see value-diff.ts).
 */
import { diffArrays, diffWordsWithSpace } from 'diff';

/** A piece of a changed value: unchanged, only in the old value, or only in the new one. */
export interface Seg {
  text: string;
  op: 'same' | 'del' | 'add';
}

/** One printed line of a diff: `sign` in front, nested `depth` levels deep. */
export interface DiffLine {
  /** `-` old only, `+` new only, `~` changed in place (words marked, or a masked secret), ` ` context. */
  sign: '-' | '+' | '~' | ' ';
  depth: number;
  segs: Seg[];
}

/** Strings shorter than this are shown as a `-` / `+` pair: a word diff would not help. */
export const WORD_DIFF_MIN_LENGTH = 40;
/** A word diff is shown only when at least this share of the text is unchanged. */
const MIN_SHARED = 0.4;
/** Unchanged runs longer than this are shortened to CONTEXT characters on each side of `…`. */
const LONG_RUN = 100;
const CONTEXT = 40;
/** Unchanged lines kept around each changed line of a multi-line value. */
export const CONTEXT_LINES = 3;

export const same = (text: string): Seg => ({ text, op: 'same' });

/** Keep the last `n` characters, starting at a word boundary when there is one nearby. */
function tail(text: string, n: number): string {
  if (text.length <= n) return text;
  const cut = text.slice(text.length - n);
  const space = cut.indexOf(' ');
  return `…${space > 0 && space < n / 2 ? cut.slice(space) : cut}`;
}

function head(text: string, n: number): string {
  if (text.length <= n) return text;
  const cut = text.slice(0, n);
  const space = cut.lastIndexOf(' ');
  return `${space > n / 2 ? cut.slice(0, space + 1) : cut}…`;
}

/** Shorten long unchanged runs: the first keeps its end, the last its start, the others both. */
export function elide(segs: readonly Seg[]): Seg[] {
  return segs.map((s, i) => {
    if (s.op !== 'same' || s.text.length <= LONG_RUN) return s;
    if (i === 0) return same(tail(s.text, CONTEXT));
    if (i === segs.length - 1) return same(head(s.text, CONTEXT));
    return same(`${head(s.text, CONTEXT).slice(0, -1)} … ${tail(s.text, CONTEXT).slice(1)}`);
  });
}

/**
 * The word diff of two single-line strings, or null when it would not help the reader (short
 * values, or so little left unchanged that `-` / `+` lines read better).
 */
export function wordSegments(before: string, after: string, minLength = WORD_DIFF_MIN_LENGTH): Seg[] | null {
  if (before.includes('\n') || after.includes('\n')) return null;
  if (Math.max(before.length, after.length) < minLength) return null;
  const parts = diffWordsWithSpace(before, after);
  const segs = parts.map((p): Seg => ({ text: p.value, op: p.added ? 'add' : p.removed ? 'del' : 'same' }));
  const shared = segs.filter((s) => s.op === 'same').reduce((n, s) => n + s.text.length, 0);
  if (shared < MIN_SHARED * Math.max(before.length, after.length)) return null;
  return elide(segs);
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The lines of a removed run followed by an added run: paired lines show their changed words. */
function changedRun(removed: readonly string[], added: readonly string[], depth: number): DiffLine[] {
  if (removed.length === added.length) {
    return removed.flatMap((r, i): DiffLine[] => {
      const segs = wordSegments(r, added[i], 1);
      return segs === null
        ? [{ sign: '-', depth, segs: [same(r)] }, { sign: '+', depth, segs: [same(added[i])] }]
        : [{ sign: '~', depth, segs }];
    });
  }
  return [
    ...removed.map((r): DiffLine => ({ sign: '-', depth, segs: [same(r)] })),
    ...added.map((a): DiffLine => ({ sign: '+', depth, segs: [same(a)] })),
  ];
}

/** Unchanged lines: up to CONTEXT_LINES after the previous change and before the next one. */
function contextRun(lines: readonly string[], first: boolean, last: boolean, depth: number): DiffLine[] {
  const keepBefore = first ? 0 : CONTEXT_LINES;
  const keepAfter = last ? 0 : CONTEXT_LINES;
  const line = (text: string): DiffLine => ({ sign: ' ', depth, segs: [same(text)] });
  if (lines.length <= keepBefore + keepAfter + 1) return lines.map(line);
  const skipped = lines.length - keepBefore - keepAfter;
  return [
    ...lines.slice(0, keepBefore).map(line),
    { sign: ' ', depth, segs: [same(`… ${skipped} unchanged line${skipped === 1 ? '' : 's'}`)] },
    ...lines.slice(lines.length - keepAfter).map(line),
  ];
}

/** The line diff of two multi-line strings, as lines at `depth`. */
export function lineDiff(before: string, after: string, depth: number): DiffLine[] {
  const parts = diffArrays(splitLines(before), splitLines(after));
  const out: DiffLine[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!p.added && !p.removed) {
      out.push(...contextRun(p.value, i === 0, i === parts.length - 1, depth));
    } else if (p.removed && parts[i + 1]?.added === true) {
      out.push(...changedRun(p.value, parts[i + 1].value, depth));
      i++;
    } else {
      out.push(...changedRun(p.removed ? p.value : [], p.added ? p.value : [], depth));
    }
  }
  return out;
}

/** Whether jsdiff's line splitting applies: either side spans several lines. */
export function isMultiLine(before: string, after: string): boolean {
  return before.includes('\n') || after.includes('\n');
}
