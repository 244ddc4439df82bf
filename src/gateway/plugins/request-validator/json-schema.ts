/**
 * JSON Schema validators of request-validator, by `version`: draft4 (Kong's default for parameters),
 * draft6, draft7, draft201909, draft202012, all with ajv (and ajv-formats: Kong checks `format`).
 * ajv has no draft-04 mode: a draft-04 schema is read with draft-07 rules after its two
 * incompatible keywords are rewritten (`id` → `$id`, boolean `exclusiveMinimum`/`exclusiveMaximum`
 * → the numeric form); its `$schema` is dropped.
 */
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isObject } from '../../llm/wire/openai-types.js';

const require = createRequire(import.meta.url);
type AjvClass = new (o: Options) => Ajv;
const addFormats = addFormatsModule as unknown as (a: Ajv) => void;

export type JsonVersion = 'draft4' | 'draft6' | 'draft7' | 'draft201909' | 'draft202012';

function make(version: JsonVersion, coerce: boolean): Ajv {
  const opts: Options = { strict: false, allErrors: false, coerceTypes: coerce, validateSchema: true };
  let ajv: Ajv;
  if (version === 'draft201909') ajv = new (require('ajv/dist/2019.js') as { default: AjvClass }).default(opts);
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

/** A draft-04 schema in draft-07 terms. */
export function fromDraft4(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(fromDraft4);
  if (!isObject(s)) return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$schema') continue;
    if (k === 'id' && typeof v === 'string') out.$id = v;
    else if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'boolean') continue;
    else out[k] = k === 'enum' || k === 'default' || k === 'const' ? v : fromDraft4(v);
  }
  if (s.exclusiveMinimum === true && typeof s.minimum === 'number') { out.exclusiveMinimum = s.minimum; delete out.minimum; }
  if (s.exclusiveMaximum === true && typeof s.maximum === 'number') { out.exclusiveMaximum = s.maximum; delete out.maximum; }
  return out;
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

/** Compile a JSON Schema given as JSON text; throws with the reason when it is not one. */
export function compileJsonSchema(text: string, version: JsonVersion, field: string, coerce = false): ValidateFunction {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${field}: not valid JSON`);
  }
  if (!isObject(parsed) && typeof parsed !== 'boolean') throw new Error(`${field}: a JSON Schema must be an object`);
  try {
    return ajvFor(version, coerce).compile(version === 'draft4' ? (fromDraft4(parsed) as object) : parsed);
  } catch (err) {
    throw new Error(`${field}: not a valid ${version} JSON Schema: ${(err as Error).message}`);
  }
}
