/**
 * request-validator's `parameter_schema`: each parameter is read from its place (a header, a query
 * argument, a named capture of the route path), deserialized by its OpenAPI 3 `style`/`explode`
 * and the top-level `type` of its schema, then checked with draft 4 and type coercion, as Kong does.
 */
import type { ValidateFunction } from 'ajv';
import type { ArgValue } from '../../request-args.js';
import { isObject } from '../../llm/wire/openai-types.js';
import { compileJsonSchema, describe } from './json-schema.js';

export type Location = 'header' | 'query' | 'path';
export type Style = 'form' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject' | 'simple' | 'label' | 'matrix';

export interface Parameter {
  in: Location;
  name: string;
  required: boolean;
  style: Style | null;
  explode: boolean;
  type: string | null;
  validate: ValidateFunction | null;
}

/** What the request offers: header values, query arguments and path captures. */
export interface ParamSource {
  header(name: string): string | string[] | undefined;
  query: Readonly<Record<string, ArgValue>>;
  path: Readonly<Record<string, string>>;
}

export interface ParamFailure { message: string; data?: unknown }

export function compileParameter(p: Readonly<Record<string, unknown>>, i: number, arrayLengths = false): Parameter {
  const schemaText = typeof p.schema === 'string' ? p.schema : null;
  const validate = schemaText === null ? null : compileJsonSchema(schemaText, 'draft4', `parameter_schema[${i}].schema`, true, arrayLengths);
  const type = validate && isObject(validate.schema) && typeof validate.schema.type === 'string' ? validate.schema.type : null;
  if (validate && type === null) throw new Error(`parameter_schema[${i}].schema: the schema must have a top-level type`);
  return {
    in: p.in as Location, name: String(p.name), required: p.required === true,
    style: typeof p.style === 'string' ? (p.style as Style) : null, explode: p.explode === true, type, validate,
  };
}

const argText = (v: string | true): string => (v === true ? '' : v);

function raw(p: Parameter, src: ParamSource): string | string[] | undefined {
  if (p.in === 'header') return src.header(p.name.toLowerCase());
  if (p.in === 'path') return src.path[p.name];
  const v = src.query[p.name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.map(argText) : argText(v);
}

function pairs(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]] = list[i + 1];
  return out;
}

function keyValues(list: string[]): Record<string, string> {
  return Object.fromEntries(list.map((kv) => { const i = kv.indexOf('='); return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)]; }));
}

/** The value of a label (`.a`) or matrix (`;name=a`) serialization, without its prefix. */
function unprefixed(p: Parameter, v: string): string {
  if (p.style === 'label') return v.replace(/^\./, '');
  if (p.style === 'matrix') return v.replace(new RegExp(`^;${p.name}=`), '');
  return v;
}

const SPLIT: Partial<Record<Style, string>> = { spaceDelimited: ' ', pipeDelimited: '|' };

function asArray(p: Parameter, v: string | string[]): string[] {
  if (Array.isArray(v)) return p.explode ? v : v.flatMap((x) => x.split(','));
  if (p.style === 'label') return unprefixed(p, v).split(p.explode ? '.' : ',');
  if (p.style === 'matrix') return p.explode ? v.split(';').filter(Boolean).map((x) => x.replace(new RegExp(`^${p.name}=`), '')) : unprefixed(p, v).split(',');
  return v.split(SPLIT[p.style ?? 'simple'] ?? ',');
}

function asObject(p: Parameter, v: string, src: ParamSource): Record<string, string> {
  if (p.style === 'form' && p.explode) return Object.fromEntries(Object.entries(src.query).map(([k, x]) => [k, argText(Array.isArray(x) ? x[0] : x)]));
  if (p.style === 'matrix' && p.explode) return keyValues(v.split(';').filter(Boolean));
  if (p.style === 'label' && p.explode) return keyValues(unprefixed(p, v).split('.'));
  const parts = unprefixed(p, v).split(',');
  return p.explode ? keyValues(parts) : pairs(parts);
}

function deepObject(p: Parameter, src: ParamSource): Record<string, string> | undefined {
  const prefix = `${p.name}[`;
  const entries = Object.entries(src.query).filter(([k]) => k.startsWith(prefix) && k.endsWith(']'));
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, x]) => [k.slice(prefix.length, -1), argText(Array.isArray(x) ? x[0] : x)]));
}

function check(p: Parameter, value: unknown): ParamFailure | null {
  if (!p.validate || p.validate(value)) return null;
  const first = p.validate.errors?.[0];
  return { message: first ? describe(first) : 'invalid value', data: value };
}

/** Check one parameter; null when it passes. `message` is Kong's verbose error. */
export function checkParameter(p: Parameter, src: ParamSource): ParamFailure | null {
  if (p.in === 'query' && p.style === 'deepObject') {
    const obj = deepObject(p, src);
    if (obj === undefined) return p.required ? { message: 'required parameter missing' } : null;
    return check(p, obj);
  }
  const v = raw(p, src);
  if (v === undefined) return p.required ? { message: 'required parameter missing' } : null;
  if (p.style === null || p.validate === null) return null;
  if (p.type === 'array') return check(p, asArray(p, v));
  if (p.type === 'object') return check(p, asObject(p, Array.isArray(v) ? v[0] : v, src));
  for (const one of Array.isArray(v) ? v : [v]) {
    const f = check(p, coercePrimitive(p.type, unprefixed(p, one)));
    if (f) return f;
  }
  return null;
}

/** A primitive read from text, as Kong's deserializer does before the schema check (numbers, booleans). */
function coercePrimitive(type: string | null, v: string): unknown {
  if ((type === 'number' || type === 'integer') && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}
