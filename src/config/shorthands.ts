/**
 * Kong's deprecated shorthand fields of a plugin config (`shorthand_fields` with
 * `deprecation.replaced_with`, e.g. rate-limiting's `redis_host` → `config.redis.host`), marked
 * `x-kong-shorthand: '<dotted path>'` in the plugin schema. As Kong does on write
 * (kong/db/schema/init.lua process_auto_fields): a shorthand fills the field it stands for when
 * that field is unset, and disappears; given both with different values it is an error
 * (`shorthandMismatches`, Kong's message). On read Kong returns both forms (`mirrorShorthands`);
 * a reader of a gateway drops the mirrors again (`withoutMirrors`), so both sides of a diff
 * speak the new form.
 */
import { isDeepStrictEqual } from 'node:util';
import type { JsonSchema } from './schemas.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Shorthand field → the path it stands for, from the schema root's properties. */
export function shorthandsOf(schema: JsonSchema | undefined): ReadonlyMap<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
    const target = prop['x-kong-shorthand'];
    if (typeof target === 'string') out.set(key, target.split('.'));
  }
  return out;
}

function at(config: Obj, path: readonly string[]): unknown {
  let cur: unknown = config;
  for (const p of path) cur = isObj(cur) ? cur[p] : undefined;
  return cur;
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** Lua's tostring of a config value, as Kong prints it in the mismatch message. */
function luaString(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** Shorthands given together with a different value of the field they stand for: Kong refuses the config. */
export function shorthandMismatches(schema: JsonSchema | undefined, config: unknown): Array<{ field: string; message: string }> {
  if (!isObj(config)) return [];
  const out: Array<{ field: string; message: string }> = [];
  for (const [field, path] of shorthandsOf(schema)) {
    const old = config[field];
    const now = at(config, path);
    if (isSet(old) && isSet(now) && !isDeepStrictEqual(old, now)) {
      out.push({
        field,
        message: `both deprecated and new field are used but their values mismatch: ${field} = ${luaString(old)} vs ${path.join('.')} = ${luaString(now)}`,
      });
    }
  }
  return out;
}

function withValue(config: Obj, path: readonly string[], value: unknown): Obj {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...config, [head]: value };
  const inner = isObj(config[head]) ? (config[head] as Obj) : {};
  return { ...config, [head]: withValue(inner, rest, value) };
}

/**
 * The config with its shorthands translated: each one fills its field when that is unset (null or
 * absent) and is removed. A shorthand whose field holds another value stays, for validation to
 * report (`shorthandMismatches`). Pure.
 */
export function translateShorthands(schema: JsonSchema | undefined, config: unknown): unknown {
  if (!isObj(config)) return config;
  let out: Obj = config;
  for (const [field, path] of shorthandsOf(schema)) {
    if (!(field in out)) continue;
    const old = out[field];
    const now = at(out, path);
    if (isSet(old) && isSet(now) && !isDeepStrictEqual(old, now)) continue;
    const { [field]: _dropped, ...rest } = out;
    out = isSet(old) && !isSet(now) ? withValue(rest, path, old) : rest;
  }
  return out;
}

/** The config as Kong's Admin API shows it: every shorthand mirrored from the field it stands for. */
export function mirrorShorthands(schema: JsonSchema | undefined, config: unknown): unknown {
  const shorthands = shorthandsOf(schema);
  if (!isObj(config) || shorthands.size === 0) return config;
  const out: Obj = { ...config };
  for (const [field, path] of shorthands) out[field] = at(config, path) ?? null;
  return out;
}

/** A gateway's config without the shorthand mirrors (those equal to their field, or null). */
export function withoutMirrors(schema: JsonSchema | undefined, config: unknown): unknown {
  const shorthands = shorthandsOf(schema);
  if (!isObj(config) || shorthands.size === 0) return config;
  const out: Obj = { ...config };
  for (const [field, path] of shorthands) {
    if (field in out && (!isSet(out[field]) || isDeepStrictEqual(out[field], at(config, path) ?? null))) delete out[field];
  }
  return out;
}
