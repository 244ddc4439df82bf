// Checks of aigw's schema conventions (see schemas/src/dsl.mjs). Each returns a list of problems.
import type { Ajv } from 'ajv';
import { type Json, type JsonObject, isObject, newAjv, propertyAt, walk } from './schema-set.js';

const typesOf = (s: JsonObject): Json[] => (Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type]);

export function isNullable(s: JsonObject): boolean {
  if (typesOf(s).includes('null')) return true;
  return Array.isArray(s.anyOf) && s.anyOf.some((b) => isObject(b) && b.type === 'null');
}

function isFillableRecord(s: JsonObject): boolean {
  return isObject(s.properties) && (!Array.isArray(s.required) || s.required.length === 0);
}

/** Property-level rules: description, nullability vs required/default, closed records, enums with null. */
export function propertyProblems(file: string, schema: JsonObject): string[] {
  const out: string[] = [];
  walk(schema, (node, path) => {
    if (isObject(node.properties)) {
      // a `then` branch narrows properties of the record it belongs to; it is not a record itself
      if (node.additionalProperties !== false && !path.endsWith('/then')) out.push(`${file}${path}: record is not closed`);
      const required = Array.isArray(node.required) ? node.required : [];
      for (const [name, p] of Object.entries(node.properties)) {
        if (!isObject(p)) continue;
        const at = `${file}${path}/properties/${name}`;
        if (typeof p.description !== 'string' || p.description.length === 0) out.push(`${at}: no description`);
        if (required.includes(name) && isNullable(p)) out.push(`${at}: required but nullable`);
        if (required.includes(name) && p.default !== undefined) out.push(`${at}: required but has a default`);
        const optional = !required.includes(name) && p.default === undefined && !isFillableRecord(p);
        if (optional && p.$ref === undefined && !isNullable(p)) out.push(`${at}: optional but does not accept null`);
      }
    }
    if (Array.isArray(node.enum) && isNullable(node) && !node.enum.includes(null)) {
      out.push(`${file}${path}: nullable enum without null`);
    }
  });
  return out;
}

/** Every `default` validates against the schema of its own property. */
export function defaultProblems(file: string, schema: JsonObject, ajv: Ajv = newAjv()): string[] {
  const out: string[] = [];
  walk(schema, (node, path) => {
    if (node.default === undefined) return;
    const { default: value, ...rest } = node;
    if (!ajv.validate(rest, value)) out.push(`${file}${path}: default ${JSON.stringify(value)} invalid: ${ajv.errorsText()}`);
  });
  return out;
}

type Check = JsonObject;

function fieldsOfCheck(check: Check): string[] {
  const fields: string[] = [];
  for (const key of ['at_least_one_of', 'only_one_of', 'mutually_required', 'mutually_exclusive']) {
    const v = check[key];
    if (Array.isArray(v)) fields.push(...v.filter((f): f is string => typeof f === 'string'));
  }
  for (const key of ['conditional', 'conditional_at_least_one_of']) {
    const c = check[key];
    if (!isObject(c)) continue;
    for (const f of [c.if_field, c.then_field]) if (typeof f === 'string') fields.push(f);
    if (Array.isArray(c.then_at_least_one_of)) fields.push(...c.then_at_least_one_of.filter((f): f is string => typeof f === 'string'));
  }
  if (typeof check.path === 'string') fields.push(check.path);
  return fields;
}

const KNOWN_CHECKS = [
  'at_least_one_of', 'only_one_of', 'mutually_required', 'mutually_exclusive', 'conditional', 'conditional_at_least_one_of', 'custom',
];

/** x-entity-checks name only existing fields, use the known vocabulary, and customs carry an id and message. */
export function entityCheckProblems(file: string, schema: JsonObject): string[] {
  const out: string[] = [];
  walk(schema, (node, path) => {
    const checks = node['x-entity-checks'];
    if (checks === undefined) return;
    if (!Array.isArray(checks)) {
      out.push(`${file}${path}: x-entity-checks is not an array`);
      return;
    }
    for (const check of checks) {
      if (!isObject(check)) continue;
      const kinds = Object.keys(check).filter((k) => KNOWN_CHECKS.includes(k));
      if (kinds.length !== 1) out.push(`${file}${path}: check ${JSON.stringify(check)} has ${kinds.length} known kinds`);
      if (check.custom !== undefined && (typeof check.custom !== 'string' || typeof check.message !== 'string')) {
        out.push(`${file}${path}: custom check without id and message`);
      }
      for (const f of fieldsOfCheck(check)) {
        if (propertyAt(node, f) === undefined) out.push(`${file}${path}: check names unknown field '${f}'`);
      }
    }
  });
  return out;
}

/** Values listed in x-aigw-unsupported-values / x-aigw-extension-values must be enum values. */
export function annotationProblems(file: string, schema: JsonObject): string[] {
  const out: string[] = [];
  walk(schema, (node, path) => {
    for (const key of ['x-aigw-unsupported-values', 'x-aigw-extension-values']) {
      const v = node[key];
      if (v === undefined) continue;
      // on an enum, the marked values must be enum values; a free string may mark known values
      const values = Array.isArray(node.enum) ? node.enum : null;
      if (!isObject(v)) out.push(`${file}${path}: ${key} is not an object`);
      else if (values) for (const k of Object.keys(v)) if (!values.includes(k)) out.push(`${file}${path}: ${key} names '${k}', not an enum value`);
    }
    if (node['x-secret'] === true && !typesOf(node).includes('string')) out.push(`${file}${path}: x-secret on a non-string`);
  });
  return out;
}

/** $refs that do not resolve to a loaded schema, resolved against the file's $id. */
export function refProblems(file: string, schema: JsonObject, ids: Set<string>): string[] {
  const out: string[] = [];
  const base = new URL(String(schema.$id), 'aigw:/');
  walk(schema, (node, path) => {
    if (typeof node.$ref !== 'string') return;
    const target = new URL(node.$ref, base).pathname.replace(/^\//, '');
    if (!ids.has(target)) out.push(`${file}${path}: $ref ${node.$ref} does not resolve`);
  });
  return out;
}
