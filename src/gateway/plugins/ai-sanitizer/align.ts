/**
 * What the PII service replaced, recovered from the two texts. Kong's PII service answers the
 * sanitized text only (`POST /llm/v1/sanitize` → `{text, identified_pii, anonymized_pii}`), so the
 * replacement → original pairs that `recover_redacted` needs are found by aligning the original and
 * the sanitized text word by word: the unchanged words anchor the alignment, each changed run is a
 * replacement (`John Doe` → `PLACEHOLDER1`, `123-456-7890` → `001-204-028-1684x83574`).
 *
 * Changed runs separated only by punctuation without spaces (`123` `-` `456`) are one replacement;
 * in synthetic mode (no placeholder tokens) a single space joins them too (`Jesse Mason`).
 */
import { diffWordsWithSpace } from 'diff';

export interface Replacement {
  original: string;
  replacement: string;
}

/** Kong's placeholder tokens: PLACEHOLDER{i}, CUSTOM{i}, and credentials masked with `#`. */
const TOKEN = /^(?:PLACEHOLDER\d+|CUSTOM\d+|#+)$/;

interface Run { removed: string; added: string }

/** Whether a changed run continues across the unchanged `gap` before the next change `next`. */
function joins(run: Run, gap: string, next: string): boolean {
  if (/^[^\w\s]+$/u.test(gap)) return true;
  return gap === ' ' && !TOKEN.test(run.added.trim()) && !TOKEN.test(next.trim());
}

function runs(original: string, sanitized: string): Run[] {
  const out: Run[] = [];
  let cur: Run | null = null;
  let gap = '';
  for (const part of diffWordsWithSpace(original, sanitized)) {
    if (!part.removed && !part.added) {
      gap += part.value;
      continue;
    }
    if (cur !== null && gap !== '') {
      if (joins(cur, gap, part.value)) {
        cur.removed += gap;
        cur.added += gap;
      } else cur = null;
    }
    gap = '';
    if (cur === null) out.push((cur = { removed: '', added: '' }));
    if (part.removed) cur.removed += part.value;
    else cur.added += part.value;
  }
  return out;
}

/** Drops the punctuation and spaces both ends share (the alignment may pull a `.` into a run). */
function trimmed(original: string, replacement: string): Replacement {
  let a = 0;
  while (a < original.length && a < replacement.length && original[a] === replacement[a] && /[^\w]/u.test(original[a])) a++;
  let z = 0;
  while (z < original.length - a && z < replacement.length - a && original[original.length - 1 - z] === replacement[replacement.length - 1 - z]
    && /[^\w]/u.test(original[original.length - 1 - z])) z++;
  return { original: original.slice(a, original.length - z), replacement: replacement.slice(a, replacement.length - z) };
}

/** The replacements the service made in `original` to get `sanitized` (pure additions or removals are not). */
export function replacements(original: string, sanitized: string): Replacement[] {
  if (original === sanitized) return [];
  return runs(original, sanitized)
    .map((r) => trimmed(r.removed, r.added))
    .filter((r) => r.original.trim() !== '' && r.replacement.trim() !== '');
}

/**
 * The restore map (replacement → original) of several texts. A replacement that stands for two
 * different originals is ambiguous and left out; so is one that is also a word of the originals.
 */
export function restoreMap(pairs: readonly Replacement[], originals: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const p of pairs) {
    const prev = map.get(p.replacement);
    if (prev !== undefined && prev !== p.original) ambiguous.add(p.replacement);
    map.set(p.replacement, p.original);
  }
  for (const k of map.keys()) if (ambiguous.has(k) || originals.some((o) => o.includes(k))) map.delete(k);
  return map;
}
