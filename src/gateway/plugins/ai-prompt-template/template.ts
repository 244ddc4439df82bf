/**
 * Kong's ai-prompt-template templater (`kong/plugins/ai-prompt-template/templater.lua`), pure:
 * `{{name}}` placeholders (`[A-Za-z0-9_]+`) are replaced by JSON-escaped string properties
 * (no surrounding quotes); placeholders left in the result, including ones a value brought in,
 * are reported as `missing template parameters: [a], [b]`.
 */

const PLACEHOLDER = /\{\{([A-Za-z0-9_]+)\}\}/g;
const REFERENCE_PREFIX = '{template://';

export type Rendered = { ok: true; text: string } | { ok: false; error: string };

/** Lua's `type()` of a decoded JSON value, as Kong's message names it. */
export function luaType(v: unknown): string {
  if (v === null) return 'userdata';
  if (Array.isArray(v)) return 'table';
  const t = typeof v;
  if (t === 'object') return 'table';
  return t === 'undefined' ? 'nil' : t;
}

/** A string value escaped as inside a JSON string literal, without the quotes. */
export function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** The template name of a `{template://NAME}` reference; null when the value is not one. */
export function templateReference(v: unknown): string | null {
  if (typeof v !== 'string' || v.length <= REFERENCE_PREFIX.length + 1) return null;
  if (!v.startsWith(REFERENCE_PREFIX) || !v.endsWith('}')) return null;
  return v.slice(REFERENCE_PREFIX.length, -1);
}

export function render(template: string, properties: Readonly<Record<string, unknown>>): Rendered {
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(properties)) {
    if (typeof v !== 'string') return { ok: false, error: `property values must be a string, got ${luaType(v)}` };
    values.set(k, jsonEscape(v));
  }
  const text = template.replace(PLACEHOLDER, (whole, name: string) => values.get(name) ?? whole);
  const missing = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) missing.add(`[${m[1]}]`);
  if (missing.size > 0) return { ok: false, error: `missing template parameters: ${[...missing].join(', ')}` };
  return { ok: true, text };
}
