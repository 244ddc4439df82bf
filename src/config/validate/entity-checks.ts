import type { EntityCheck, JsonSchema } from '../schemas.js';
import { isRecordSchema, resolveSchema } from '../defaults.js';
import { CUSTOM_CHECKS, type CheckFailure } from './custom-checks.js';

export type { CheckFailure };
import { getPath, isNonEmpty } from './dotted-path.js';

/**
 * Kong's `entity_checks`, evaluated on a default-filled value. Schemas carry them as
 * `x-entity-checks` in Kong's own vocabulary; messages are Kong's.
 */


type Obj = Record<string, unknown>;

const quoteList = (fields: string[]) => fields.map((f) => `'${f}'`).join(', ');

type Match = Record<string, unknown>;

function matches(value: unknown, m: Match): boolean {
  for (const [op, arg] of Object.entries(m)) {
    switch (op) {
      case 'eq': if (value !== arg) return false; break;
      case 'ne': if (value === arg) return false; break;
      case 'one_of': if (!Array.isArray(arg) || !arg.includes(value)) return false; break;
      case 'not_one_of': if (Array.isArray(arg) && arg.includes(value)) return false; break;
      case 'required': if (arg === true && !isNonEmpty(value)) return false; break;
      case 'gt': if (typeof value !== 'number' || typeof arg !== 'number' || !(value > arg)) return false; break;
      case 'contains': if (!Array.isArray(value) || !value.includes(arg)) return false; break;
      case 'len_min': if (!(Array.isArray(value) || typeof value === 'string') || value.length < Number(arg)) return false; break;
      case 'len_max': if (!(Array.isArray(value) || typeof value === 'string') || value.length > Number(arg)) return false; break;
      default: return false;
    }
  }
  return true;
}

function describeMatch(m: Match): string {
  if ('eq' in m) return `value must be ${JSON.stringify(m.eq)}`;
  if ('one_of' in m) return `expected one of: ${(m.one_of as unknown[]).join(', ')}`;
  if ('required' in m) return 'required field missing';
  return `value must satisfy ${JSON.stringify(m)}`;
}

/** The dotted fields' longest common parent (`auth` for `auth.header_name`, `auth.header_value`). */
function commonParent(fields: string[]): string[] {
  const split = fields.map((f) => f.split('.').slice(0, -1));
  const out: string[] = [];
  for (let i = 0; split.every((s) => i < s.length && s[i] === split[0]![i]); i++) out.push(split[0]![i]!);
  return out;
}

/**
 * The position of a multi-field rule's failure: the fields' common parent when they share one
 * (a half-set `auth` points at `auth:`), else the named field that breaks the rule.
 */
function positionOf(fields: string[], culprit: string | undefined): string[] {
  const parent = commonParent(fields);
  if (parent.length > 0) return parent;
  return culprit === undefined ? [] : culprit.split('.');
}

function runCheck(check: EntityCheck, obj: Obj): CheckFailure | null {
  const custom = check.message;
  const fieldsOf = (key: string) => (Array.isArray(check[key]) ? (check[key] as string[]) : null);
  let fields: string[] | null;
  if ((fields = fieldsOf('at_least_one_of'))) {
    if (!fields.some((f) => isNonEmpty(getPath(obj, f)))) return { path: [], at: positionOf(fields, undefined), message: custom ?? `at least one of these fields must be non-empty: ${quoteList(fields)}` };
  } else if ((fields = fieldsOf('only_one_of'))) {
    const set = fields.filter((f) => isNonEmpty(getPath(obj, f)));
    if (set.length > 1) return { path: [], at: positionOf(fields, set[1]), message: custom ?? `exactly one of these fields must be non-empty: ${quoteList(fields)}` };
  } else if ((fields = fieldsOf('mutually_required'))) {
    const set = fields.filter((f) => isNonEmpty(getPath(obj, f)));
    if (set.length !== 0 && set.length !== fields.length) return { path: [], at: positionOf(fields, set[0]), message: custom ?? `all or none of these fields must be set: ${quoteList(fields)}` };
  } else if ((fields = fieldsOf('mutually_exclusive'))) {
    const set = fields.filter((f) => isNonEmpty(getPath(obj, f)));
    if (set.length > 1) return { path: [], at: positionOf(fields, set[1]), message: custom ?? `only one or none of these fields must be set: ${quoteList(fields)}` };
  } else if (check.conditional && typeof check.conditional === 'object') {
    const c = check.conditional as { if_field: string; if_match: Match; then_field: string; then_match: Match };
    const then = getPath(obj, c.then_field);
    // Kong's validate_field passes a null value unless the match says required
    const thenOk = (then === null || then === undefined) && c.then_match.required !== true ? true : matches(then, c.then_match);
    if (matches(getPath(obj, c.if_field), c.if_match) && !thenOk) {
      // a then-field absent from the file: point at the field whose value triggered the rule
      const at = (then === null || then === undefined ? c.if_field : c.then_field).split('.');
      return { path: c.then_field.split('.'), at, message: custom ?? `failed conditional validation given value of field '${c.if_field}': ${c.then_field}: ${describeMatch(c.then_match)}` };
    }
  } else if (check.conditional_at_least_one_of && typeof check.conditional_at_least_one_of === 'object') {
    const c = check.conditional_at_least_one_of as { if_field: string; if_match: Match; then_at_least_one_of: string[] };
    if (matches(getPath(obj, c.if_field), c.if_match) && !c.then_at_least_one_of.some((f) => isNonEmpty(getPath(obj, f)))) {
      return { path: [], at: c.if_field.split('.'), message: custom ?? `at least one of these fields must be non-empty: ${quoteList(c.then_at_least_one_of)}` };
    }
  } else if (typeof check.custom === 'string') {
    const fn = CUSTOM_CHECKS[check.custom];
    if (!fn) return { path: [], message: `internal: unknown custom check '${check.custom}'` };
    const at = typeof check.path === 'string' ? check.path : null;
    const failure = fn(at === null ? obj : getPath(obj, at));
    if (failure === null || at === null) return failure;
    return { path: [...at.split('.'), ...failure.path], message: failure.message, ...(failure.at ? { at: [...at.split('.'), ...failure.at] } : {}) };
  }
  return null;
}

/** Evaluate every `x-entity-checks` in `schema` (at any depth) against the filled `value`. */
export function runEntityChecks(schema: JsonSchema, relPath: string, value: unknown, base: Array<string | number> = []): CheckFailure[] {
  const { schema: s, relPath: rel } = resolveSchema(schema, relPath);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: CheckFailure[] = [];
  if (isRecordSchema(s)) {
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      const child = (value as Obj)[key];
      if (child !== null && typeof child === 'object') {
        if (Array.isArray(child)) {
          const items = prop.items ?? resolveSchema(prop, rel).schema.items;
          if (items) child.forEach((item, i) => out.push(...runEntityChecks(items, rel, item, [...base, key, i])));
        } else {
          out.push(...runEntityChecks(prop, rel, child, [...base, key]));
        }
      }
    }
  }
  for (const check of s['x-entity-checks'] ?? []) {
    const failure = runCheck(check, value as Obj);
    if (failure) out.push({ path: [...base, ...failure.path], message: failure.message, ...(failure.at ? { at: [...base, ...failure.at] } : {}) });
  }
  return out;
}
