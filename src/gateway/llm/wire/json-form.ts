/**
 * JSON value comparison for the answer pass-through (llm/call/client.ts): an LLM answer the gateway
 * would send unchanged goes out as the upstream's own bytes instead of being serialised again.
 *
 * Checking instead that the upstream's text is already in JSON.stringify's form (so that the bytes
 * would not change either) was measured and dropped: scanning the text in JavaScript (String#indexOf
 * per string token, ~300 + ~260 instructions per call in Node 20; a charCodeAt loop ~26 per
 * character) cost as much as the serialisation it saved (~8–16 k vs ~12–19 k per 400-byte answer).
 */

/**
 * Whether `a` serialises as `b` does (`JSON.stringify(a) === JSON.stringify(b)` for JSON values,
 * keys in the same order). Shared parts count as equal without being looked into: `b` must not
 * have been modified since `a` was built from it.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (k !== kb[i] || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
