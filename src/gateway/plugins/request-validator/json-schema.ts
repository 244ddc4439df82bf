/**
 * JSON Schema validators of request-validator, by `version`: draft4 (Kong's default for parameters),
 * draft6, draft7, draft201909, draft202012, all with ajv (and ajv-formats: Kong checks `format`);
 * draft 4 with ajv-draft-04 (ajv's own draft-04 vocabulary and meta-schema: `id`, boolean
 * `exclusiveMinimum`/`exclusiveMaximum`, and a numeric exclusive bound refused as draft 4 refuses it).
 * `array_length_compat` (Kong 3.12+, default true): `minLength`/`maxLength` also bound arrays, by item
 * count; a schema is compiled with `minItems`/`maxItems` copied from them where it has none.
 */
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import AjvDraft04Module from 'ajv-draft-04';
import { isObject } from '../../llm/wire/openai-types.js';

const require = createRequire(import.meta.url);
type AjvClass = new (o: Options) => Ajv;
const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
const AjvDraft04 = AjvDraft04Module as unknown as AjvClass;

export type JsonVersion = 'draft4' | 'draft6' | 'draft7' | 'draft201909' | 'draft202012';

function make(version: JsonVersion, coerce: boolean): Ajv {
  const opts: Options = { strict: false, allErrors: false, coerceTypes: coerce, validateSchema: true };
  let ajv: Ajv;
  if (version === 'draft4') ajv = new AjvDraft04(opts);
  else if (version === 'draft201909') ajv = new (require('ajv/dist/2019.js') as { default: AjvClass }).default(opts);
  else if (version === 'draft202012') ajv = new (require('ajv/dist/2020.js') as { default: AjvClass }).default(opts);
  else {
    ajv = new Ajv(opts);
    if (version === 'draft6') ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  }
  addFormats(ajv);
  return ajv;
}

const instances = new Map<string, Ajv>();
function ajvFor(version: JsonVersion, coerce: boolean): Ajv {
  const key = `${version}:${coerce}`;
  let a = instances.get(key);
  if (!a) instances.set(key, (a = make(version, coerce)));
  return a;
}

/** One ajv error as a sentence: `property a.b validation failed: must be integer`. */
export function describe(e: ErrorObject): string {
  const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty?: string }).missingProperty ?? '';
    return `property ${at ? `${at}.` : ''}${missing} is required`;
  }
  return at ? `property ${at} validation failed: ${e.message ?? e.keyword}` : `${e.message ?? e.keyword}`;
}

/** Keywords whose values are data, not subschemas: never rewritten. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'example']);

/**
 * Kong's `array_length_compat`: every (sub)schema with `minLength`/`maxLength` also gets
 * `minItems`/`maxItems` of the same value unless it sets them (each pair applies to its own type:
 * strings keep their length check, arrays get the item count).
 */
export function withArrayLengths(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withArrayLengths);
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = DATA_KEYWORDS.has(k) ? v : withArrayLengths(v);
  if (typeof schema.minLength === 'number' && schema.minItems === undefined) out.minItems = schema.minLength;
  if (typeof schema.maxLength === 'number' && schema.maxItems === undefined) out.maxItems = schema.maxLength;
  return out;
}

/**
 * Compile a JSON Schema given as JSON text; throws with the reason when it is not one.
 * `arrayLengths`: Kong's `array_length_compat` (see withArrayLengths).
 */
export function compileJsonSchema(text: string, version: JsonVersion, field: string, coerce = false, arrayLengths = false): ValidateFunction {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${field}: not valid JSON`);
  }
  if (!isObject(parsed) && typeof parsed !== 'boolean') throw new Error(`${field}: a JSON Schema must be an object`);
  try {
    return ajvFor(version, coerce).compile((arrayLengths ? withArrayLengths(parsed) : parsed) as object);
  } catch (err) {
    throw new Error(`${field}: not a valid ${version} JSON Schema: ${(err as Error).message}`);
  }
}
