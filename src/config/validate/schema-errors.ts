import type { ErrorObject } from 'ajv';
import type { ErrorCode } from '../../errors.js';

/** The pattern of the schemas' uuid typedef (schemas/src/dsl.mjs UUID_PATTERN): Kong's `uuid = true`. */
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * Turn ajv errors into Kong-worded messages with stable codes, pointing at the offending key or
 * value. Union branches (`anyOf`/`oneOf`/`if`) are collapsed into one message per location.
 */

export interface SchemaProblem {
  code: ErrorCode;
  /** JSON path of the offending key/value, relative to the validated value. */
  path: Array<string | number>;
  at: 'key' | 'value';
  message: string;
  /** Where a file position points when it differs from `path` (which keeps Kong's error placement). */
  position?: Array<string | number>;
}

function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean', array: 'an array', object: 'a record', null: 'null',
};

function typeMessage(types: string | string[]): string {
  const list = (Array.isArray(types) ? types : String(types).split(',')).filter((t) => t !== 'null');
  return `expected ${list.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** "did you mean" for an unknown field, from the allowed property names. */
export function suggest(name: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestScore = Infinity;
  for (const a of allowed) {
    const d = levenshtein(name.toLowerCase(), a.toLowerCase());
    if (d < bestScore) [best, bestScore] = [a, d];
  }
  return best !== null && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

function one(e: ErrorObject): SchemaProblem | null {
  const path = pointerToPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const props = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = suggest(field, props);
      return { code: 'AIGW_UNKNOWN_FIELD', path: [...path, field], at: 'key', message: `unknown field '${field}'${hint ? ` (did you mean '${hint}'?)` : ''}` };
    }
    case 'required':
      return { code: 'AIGW_REQUIRED', path, at: 'key', message: `${String(p.missingProperty)}: required field missing` };
    case 'type':
      // Kong: null in a required field (the Admin API's filled form writes an absent field as null) is a missing field
      if (e.data === null) return { code: 'AIGW_REQUIRED', path, at: 'value', message: 'required field missing' };
      return { code: 'AIGW_TYPE', path, at: 'value', message: typeMessage(p.type as string | string[]) };
    case 'enum':
      // as Kong: an optional field's `null` (unset) is not one of the values it names
      return { code: 'AIGW_VALUE', path, at: 'value', message: `expected one of: ${(p.allowedValues as unknown[]).filter((v) => v !== null).map(String).join(', ')}` };
    case 'const':
      return { code: 'AIGW_VALUE', path, at: 'value', message: `value must be ${JSON.stringify(p.allowedValue)}` };
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
      const s = e.parentSchema as { minimum?: number; maximum?: number } | undefined;
      const msg = s?.minimum !== undefined && s.maximum !== undefined
        ? `value should be between ${s.minimum} and ${s.maximum}`
        : `value must be ${String(p.comparison)} ${String(p.limit)}`;
      return { code: 'AIGW_VALUE', path, at: 'value', message: msg };
    }
    case 'minLength': case 'minItems':
      return { code: 'AIGW_VALUE', path, at: 'value', message: Number(p.limit) === 1 ? 'length must be at least 1' : `length must be at least ${String(p.limit)}` };
    case 'maxLength': case 'maxItems':
      return { code: 'AIGW_VALUE', path, at: 'value', message: `length must be at most ${String(p.limit)}` };
    case 'minProperties':
      return { code: 'AIGW_VALUE', path, at: 'value', message: 'must not be empty' };
    case 'uniqueItems':
      return { code: 'AIGW_VALUE', path, at: 'value', message: `duplicate value in set (items ${String(p.j)} and ${String(p.i)})` };
    case 'pattern':
      // Kong's `uuid = true` fields (the uuid typedef's pattern): Kong's message
      if (p.pattern === UUID_PATTERN) return { code: 'AIGW_VALUE', path, at: 'value', message: 'expected a valid UUID' };
      return { code: 'AIGW_VALUE', path, at: 'value', message: `invalid value: must match ${String(p.pattern)}` };
    case 'format':
      return { code: 'AIGW_VALUE', path, at: 'value', message: p.format === 'uuid' ? 'expected a valid UUID' : `invalid ${String(p.format)}` };
    case 'if': case 'not': case 'anyOf': case 'oneOf': case 'allOf':
      return null;
    default:
      return { code: 'AIGW_VALUE', path, at: 'value', message: e.message ?? 'invalid value' };
  }
}

/**
 * Collapse ajv's raw list. For unions, keep the branch errors that reach deepest (the user's
 * intent is usually the branch they almost satisfied); when no branch gets past the union's own
 * location, report one type message listing the accepted forms.
 */
export function mapAjvErrors(errors: readonly ErrorObject[]): SchemaProblem[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const dropped = new Set<ErrorObject>();
  const extra: SchemaProblem[] = [];
  for (const u of unions) {
    const inside = errors.filter((e) => e !== u && e.schemaPath.startsWith(u.schemaPath.replace(/\/(anyOf|oneOf)$/, '') + `/${u.keyword}/`));
    const deeper = inside.filter((e) => e.instancePath.length > u.instancePath.length);
    const shallow = inside.filter((e) => e.instancePath === u.instancePath);
    if (deeper.length > 0) {
      for (const e of shallow) dropped.add(e);
    } else {
      for (const e of shallow) dropped.add(e);
      const types = shallow.filter((e) => e.keyword === 'type').flatMap((e) => [(e.params as { type: string | string[] }).type].flat());
      extra.push({ code: 'AIGW_TYPE', path: pointerToPath(u.instancePath), at: 'value', message: types.length ? typeMessage([...new Set(types)]) : 'value does not match any allowed form' });
    }
  }
  const out: SchemaProblem[] = [...extra];
  for (const e of errors) {
    if (dropped.has(e)) continue;
    const p = one(e);
    if (p) out.push(p);
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const key = `${p.code}|${p.path.join('/')}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
