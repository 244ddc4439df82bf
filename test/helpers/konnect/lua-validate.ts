/**
 * Plugin config checking and default filling from a Lua-style schema, with Kong's schema messages
 * ("unknown field", "required field missing", "expected a string", "expected one of: local, redis",
 * "value should be between 0 and 65535", "at least one of these fields must be non-empty: …",
 * "failed conditional validation given value of field 'config.policy'") as koko reports them:
 * ERROR_TYPE_FIELD at `config.<path>` (flattened with `[i]` indexes), entity checks as ERROR_TYPE_ENTITY
 * (koko internal/plugin/validators/lua_validator.go, lua_validator_test.go, resource/plugin_test.go).
 * Filling follows Kong/go-kong (fillConfigRecord): every field present, records recursed, `null` where no
 * default exists.
 */
import type { EntityCheck, LuaField, LuaFields, PluginSchema } from './plugin-schemas.js';
import { clone, entityDetail, fieldDetail, isObject, type ErrorDetail, type Json, type JsonObject } from './wire.js';

const fieldsOf = (fields: LuaFields): Array<[string, LuaField]> => fields.map((f) => Object.entries(f)[0] as [string, LuaField]);

export function fillRecord(fields: LuaFields, value: Json | undefined): JsonObject {
  const out: JsonObject = isObject(value) ? value : {};
  for (const [name, f] of fieldsOf(fields)) {
    const cur = out[name];
    // an optional record whose default is null stays null when absent (Kong's process_auto_fields)
    if (f.type === 'record' && f.fields && (isObject(cur) || (cur === undefined && f.default !== null))) out[name] = fillRecord(f.fields, cur);
    else if (cur === undefined || cur === null) out[name] = f.default === undefined ? null : clone(f.default);
  }
  return out;
}

const TYPE_MESSAGE: Record<string, string> = {
  string: 'expected a string',
  integer: 'expected an integer',
  number: 'expected a number',
  boolean: 'expected a boolean',
  array: 'expected an array',
  set: 'expected a set',
  map: 'expected a map',
  record: 'expected a record',
};

function typeOk(f: LuaField, v: Json): boolean {
  switch (f.type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
    case 'set':
      return Array.isArray(v);
    default:
      return isObject(v);
  }
}

function checkValue(f: LuaField, v: Json, path: string, out: ErrorDetail[]): void {
  if (!typeOk(f, v)) return void out.push(fieldDetail(path, TYPE_MESSAGE[f.type] ?? 'invalid value'));
  if (f.one_of && !f.one_of.includes(v)) return void out.push(fieldDetail(path, `expected one of: ${f.one_of.join(', ')}`));
  if (typeof v === 'number' && f.between && (v < f.between[0] || v > f.between[1]))
    return void out.push(fieldDetail(path, `value should be between ${f.between[0]} and ${f.between[1]}`));
  if (typeof v === 'number' && f.gt !== undefined && !(v > f.gt)) return void out.push(fieldDetail(path, `value must be greater than ${f.gt}`));
  if (Array.isArray(v)) {
    if (f.len_min !== undefined && v.length < f.len_min) out.push(fieldDetail(path, `length must be at least ${f.len_min}`));
    if (f.elements) v.forEach((e, i) => checkValue(f.elements as LuaField, e, `${path}[${i}]`, out));
  }
  if (f.type === 'record' && f.fields?.length && isObject(v)) checkRecord(f.fields, v, path, out); // no fields: stored as sent
}

function checkRecord(fields: LuaFields, v: JsonObject, path: string, out: ErrorDetail[]): void {
  const known = fieldsOf(fields);
  const names = new Set(known.map(([k]) => k));
  for (const k of Object.keys(v)) if (!names.has(k)) out.push(fieldDetail(`${path}.${k}`, 'unknown field'));
  for (const [k, f] of known) {
    const x = v[k];
    if (x === undefined || x === null) {
      if (f.required) out.push(fieldDetail(`${path}.${k}`, 'required field missing'));
      continue;
    }
    checkValue(f, x, `${path}.${k}`, out);
  }
}

const lookup = (root: JsonObject, dotted: string): Json | undefined =>
  dotted.split('.').reduce<Json | undefined>((cur, k) => (isObject(cur) ? cur[k] : undefined), root);
const empty = (v: Json | undefined): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
const quoted = (names: string[]): string => names.map((x) => `'${x}'`).join(', ');

function entityCheck(c: EntityCheck, plugin: JsonObject): ErrorDetail[] {
  if ('at_least_one_of' in c)
    return c.at_least_one_of.some((p) => !empty(lookup(plugin, p)))
      ? []
      : [entityDetail(`at least one of these fields must be non-empty: ${quoted(c.at_least_one_of)}`)];
  if ('only_one_of' in c)
    return c.only_one_of.filter((p) => !empty(lookup(plugin, p))).length > 1
      ? [entityDetail(`only one of these fields must be non-empty: ${quoted(c.only_one_of)}`)]
      : [];
  const { if_field, if_match, then_field } = c.conditional;
  if (lookup(plugin, if_field) !== if_match.eq || !empty(lookup(plugin, then_field))) return [];
  return [entityDetail(`failed conditional validation given value of field '${if_field}'`), fieldDetail(then_field, 'required field missing')];
}

/** Validate a whole plugin (top-level fields from the Lua schema plus config); defaults must be filled first. */
export function validatePlugin(schema: PluginSchema, plugin: JsonObject): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const [k, f] of fieldsOf(schema.fields)) {
    const v = plugin[k];
    if (f.type === 'foreign') {
      if (f.eq === null && !empty(v)) out.push(fieldDetail(k, 'value must be null'));
    } else if (v === undefined || v === null) {
      if (f.required) out.push(fieldDetail(k, 'required field missing'));
    } else checkValue(f, v, k, out);
  }
  if (out.length === 0) for (const c of schema.entity_checks ?? []) out.push(...entityCheck(c, plugin));
  return out;
}

/** Deprecated shorthand fields moved to their new place (Kong's shorthand_fields; the new field wins when both are set). */
function translateShorthands(schema: PluginSchema, plugin: JsonObject): void {
  const config = plugin.config;
  if (!schema.shorthands || !isObject(config)) return;
  for (const [short, long] of Object.entries(schema.shorthands)) {
    if (!(short in config)) continue;
    const value = config[short];
    delete config[short];
    if (value === null || value === undefined) continue;
    const path = long.split('.');
    let at: JsonObject = config;
    for (const step of path.slice(0, -1)) {
      if (!isObject(at[step])) at[step] = {};
      at = at[step] as JsonObject;
    }
    const last = path[path.length - 1] as string;
    if (at[last] === undefined || at[last] === null) at[last] = value;
  }
}

/** Kong answers with the deprecated fields too, mirroring their new place (shorthand_fields on read). */
export function mirrorShorthands(schema: PluginSchema, plugin: JsonObject): void {
  const config = plugin.config;
  if (!schema.shorthands || !isObject(config)) return;
  for (const [short, long] of Object.entries(schema.shorthands)) config[short] = clone(lookup(config, long) ?? null);
}

/** Protocols default and config defaults, the way Kong's process_auto_fields leaves a plugin. */
export function fillPlugin(schema: PluginSchema, plugin: JsonObject): JsonObject {
  translateShorthands(schema, plugin);
  for (const [k, f] of fieldsOf(schema.fields)) {
    if (f.type === 'record' && f.fields?.length) plugin[k] = fillRecord(f.fields, plugin[k]);
    else if (f.type === 'record' && (plugin[k] === undefined || plugin[k] === null)) plugin[k] = {};
    else if ((plugin[k] === undefined || plugin[k] === null) && f.default !== undefined) plugin[k] = clone(f.default);
  }
  return plugin;
}
