/**
 * Kong's own schema format for request-validator's `body_schema` (`version: kong`): a JSON list of
 * `{ "<field>": { type, required, … } }`, checked as Kong's schema library checks a record, with its
 * messages: unknown fields, "required field missing", types ("expected a string"…), `one_of`,
 * `between`, `gt`, `len_eq`/`len_min`/`len_max` (strings need at least one character unless
 * `len_min` says otherwise), `elements` (array, set), `keys`/`values` (map), nested `fields` (record).
 * Other validators (Lua patterns, `custom_validator`…) are refused when the plugin is built.
 */
import { isObject } from '../../llm/wire/openai-types.js';

type Field = Readonly<Record<string, unknown>>;
/** Errors as Kong reports them: a message per field, nested for records, by index for arrays. */
export type KongErrors = { [k: string]: string | KongErrors };
export type KongValidator = (value: unknown) => KongErrors | null;

const PROPS = new Set(['type', 'required', 'default', 'description', 'one_of', 'between', 'gt', 'len_eq', 'len_min', 'len_max', 'elements', 'fields', 'keys', 'values']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'set', 'map', 'record']);

function fieldList(v: unknown, at: string): Array<[string, Field]> {
  if (!Array.isArray(v)) throw new Error(`body_schema: ${at || 'the schema'} must be a list of fields`);
  return v.map((entry) => {
    const keys = isObject(entry) ? Object.keys(entry) : [];
    if (!isObject(entry) || keys.length !== 1 || !isObject(entry[keys[0]])) throw new Error(`body_schema: each entry of ${at || 'the schema'} must be { "<field name>": { "type": … } }`);
    return [keys[0], entry[keys[0]] as Field];
  });
}

/** Refuse what aigw cannot check, naming the property and the field. */
function checkField(f: Field, at: string): void {
  for (const k of Object.keys(f)) {
    if (!PROPS.has(k)) throw new Error(`body_schema: property '${k}' of field '${at}' cannot run in aigw serve (Kong schema validators supported: ${[...PROPS].filter((p) => p !== 'description' && p !== 'default').join(', ')}); use a JSON Schema version such as draft4`);
  }
  if (typeof f.type !== 'string' || !TYPES.has(f.type)) throw new Error(`body_schema: field '${at}' has an unknown type '${String(f.type)}'`);
  if (isObject(f.elements)) checkField(f.elements, `${at}[]`);
  if (isObject(f.keys)) checkField(f.keys, `${at}.<key>`);
  if (isObject(f.values)) checkField(f.values, `${at}.<value>`);
  if (f.type === 'record') for (const [k, sub] of fieldList(f.fields ?? [], at)) checkField(sub, `${at}.${k}`);
}

const isNum = (v: unknown): v is number => typeof v === 'number';

function lengthError(f: Field, len: number): string | null {
  if (isNum(f.len_eq) && len !== f.len_eq) return `length must be ${f.len_eq}`;
  const min = isNum(f.len_min) ? f.len_min : f.type === 'string' ? 1 : null;
  if (min !== null && len < min) return `length must be at least ${min}`;
  if (isNum(f.len_max) && len > f.len_max) return `length must be at most ${f.len_max}`;
  return null;
}

function valueError(f: Field, v: unknown): string | null {
  if (Array.isArray(f.one_of) && !f.one_of.includes(v)) return `expected one of: ${f.one_of.join(', ')}`;
  if (Array.isArray(f.between) && isNum(v) && (v < Number(f.between[0]) || v > Number(f.between[1]))) return `value should be between ${f.between[0]} and ${f.between[1]}`;
  if (isNum(f.gt) && isNum(v) && !(v > f.gt)) return `value must be greater than ${f.gt}`;
  return null;
}

function validateField(f: Field, v: unknown): string | KongErrors | null {
  switch (f.type) {
    case 'string': return typeof v !== 'string' ? 'expected a string' : (lengthError(f, v.length) ?? valueError(f, v));
    case 'number': return !isNum(v) ? 'expected a number' : valueError(f, v);
    case 'integer': return !Number.isInteger(v) ? 'expected an integer' : valueError(f, v);
    case 'boolean': return typeof v !== 'boolean' ? 'expected a boolean' : valueError(f, v);
    case 'array':
    case 'set': {
      if (!Array.isArray(v)) return `expected ${f.type === 'set' ? 'a set' : 'an array'}`;
      const len = lengthError({ ...f, type: f.type }, v.length);
      if (len) return len;
      if (!isObject(f.elements)) return null;
      const el = f.elements;
      const errs: KongErrors = {};
      v.forEach((x, i) => { const e = validateField(el, x); if (e !== null) errs[String(i + 1)] = e; });
      return Object.keys(errs).length ? errs : null;
    }
    case 'map': {
      if (!isObject(v)) return 'expected a map';
      const errs: KongErrors = {};
      for (const [k, x] of Object.entries(v)) {
        const e = (isObject(f.keys) ? validateField(f.keys, k) : null) ?? (isObject(f.values) ? validateField(f.values, x) : null);
        if (e !== null) errs[k] = e;
      }
      return Object.keys(errs).length ? errs : null;
    }
    default: return isObject(v) ? validateRecord(fieldList(f.fields ?? [], ''), v) : 'expected a record';
  }
}

function validateRecord(fields: ReadonlyArray<[string, Field]>, v: Readonly<Record<string, unknown>>): KongErrors | null {
  const errs: KongErrors = {};
  const known = new Set(fields.map(([k]) => k));
  for (const k of Object.keys(v)) if (!known.has(k)) errs[k] = 'unknown field';
  for (const [k, f] of fields) {
    const x = v[k];
    if (x === undefined || x === null) {
      if (f.required === true) errs[k] = 'required field missing';
      continue;
    }
    const e = validateField(f, x);
    if (e !== null) errs[k] = e;
  }
  return Object.keys(errs).length ? errs : null;
}

/** Compile a Kong-format `body_schema`; throws on a schema aigw cannot check. */
export function compileKongSchema(text: string): KongValidator {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('body_schema: not valid JSON');
  }
  const fields = fieldList(parsed, '');
  for (const [k, f] of fields) checkField(f, k);
  return (value) => (isObject(value) && !Array.isArray(value) ? validateRecord(fields, value) : { '@entity': 'expected a record' });
}
