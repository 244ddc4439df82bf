/**
 * The expressions of ai-custom-guardrail that aigw serve evaluates. Kong's are Lua; aigw runs the
 * subset that reads values, and refuses anything else at startup (compile throws, naming the field):
 *
 *   $(content)  the inspected text          $(source)  INPUT or OUTPUT
 *   $(conf.params.NAME), $(conf.<path>)     the plugin config
 *   $(resp), $(resp.a.b), $(resp.a[1].b)    the guardrail service's JSON answer (Lua indexes from 1)
 *
 * A value that is exactly one expression keeps the expression's type (`$(resp.flagged)` → boolean);
 * anything else renders to a string, expressions interpolated.
 */
import { isObject } from '../../llm/wire/openai-types.js';

export interface Scope {
  content: string;
  source: 'INPUT' | 'OUTPUT';
  conf: unknown;
  resp?: unknown;
}

type Step = string | number;
interface Ref { root: 'content' | 'source' | 'conf' | 'resp'; path: Step[] }
type Part = { text: string } | { ref: Ref };

export interface Template {
  parts: Part[];
  /** True when the value is one expression (its type is kept). */
  whole: boolean;
}

const EXPR = /\$\(([^()]*)\)/g;
const PATH = /^(content|source|conf|resp)((?:\.[A-Za-z_][\w-]*|\[\d+\])*)$/;

function parseRef(expr: string, field: string): Ref {
  const m = PATH.exec(expr.trim());
  if (!m) throw new Error(`${field}: the expression $(${expr}) cannot run in aigw serve (only $(content), $(source), $(conf.…) and $(resp.…) value paths are supported; Lua code and functions are not)`);
  const path: Step[] = [];
  for (const s of m[2].matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]/g)) path.push(s[1] ?? Number(s[2]) - 1);
  const root = m[1] as Ref['root'];
  if ((root === 'content' || root === 'source') && path.length) throw new Error(`${field}: $(${expr}) has no fields`);
  return { root, path };
}

/** Compile a config value; throws (naming `field`) on an expression aigw cannot evaluate. */
export function compile(value: string, field: string): Template {
  const parts: Part[] = [];
  let last = 0;
  for (const m of value.matchAll(EXPR)) {
    if (m.index > last) parts.push({ text: value.slice(last, m.index) });
    parts.push({ ref: parseRef(m[1], field) });
    last = m.index + m[0].length;
  }
  if (last < value.length) parts.push({ text: value.slice(last) });
  if (value.slice(last).includes('$(') || parts.some((p) => 'text' in p && p.text.includes('$('))) {
    throw new Error(`${field}: the expression in '${value}' cannot run in aigw serve (nested parentheses are Lua code)`);
  }
  return { parts, whole: parts.length === 1 && 'ref' in parts[0] };
}

function lookup(ref: Ref, scope: Scope): unknown {
  let v: unknown = scope[ref.root];
  for (const s of ref.path) {
    if (typeof s === 'number') v = Array.isArray(v) ? v[s] : undefined;
    else v = isObject(v) ? v[s] : undefined;
  }
  return v;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The value of a template: the expression's own value when `whole`, else a string. */
export function evaluate(t: Template, scope: Scope): unknown {
  if (t.whole) return lookup((t.parts[0] as { ref: Ref }).ref, scope);
  return t.parts.map((p) => ('text' in p ? p.text : text(lookup(p.ref, scope)))).join('');
}

/** Lua truthiness (nil and false are false), with the literal strings 'true'/'false' read as booleans. */
export function truthy(v: unknown, literal: boolean): boolean {
  if (literal && typeof v === 'string') return v.trim().toLowerCase() === 'true';
  return v !== undefined && v !== null && v !== false;
}

/** A rendered body value: strings that parse as JSON are sent as JSON (Kong's rule); others as strings. */
export function jsonValue(v: unknown, whole: boolean): unknown {
  if (whole || typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}
