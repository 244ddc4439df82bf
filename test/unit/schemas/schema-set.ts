import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SCHEMAS_DIR = join(ROOT, 'schemas');

/** The custom keywords aigw's schemas use (annotations for the validator, normaliser and masker). */
export const X_KEYWORDS = [
  'x-entity-checks',
  'x-kong-plugin',
  'x-kong-priority',
  'x-kong-protocols',
  'x-kong-partials',
  'x-kong-partial',
  'x-secret',
  'x-referenceable',
  'x-aigw-unsupported',
  'x-aigw-unsupported-values',
  'x-aigw-extension',
  'x-aigw-extension-values',
  'x-deprecated',
  'x-aigw-moved',
  'x-kong-shorthand',
] as const;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function readJson(path: string): JsonObject {
  const v = JSON.parse(readFileSync(path, 'utf8')) as Json;
  if (!isObject(v)) throw new Error(`${path}: not a JSON object`);
  return v;
}

/** The published profiles: '' (the default, Kong 3.14, at schemas/) and the ones under schemas/<profile>/. */
export const PROFILE_DIRS = ['', '3.10', 'konnect'] as const;
export type ProfileDir = (typeof PROFILE_DIRS)[number];

/** Every schema file of a profile (relative to its directory) except the bundle, sorted. */
export function schemaFiles(profile: ProfileDir = ''): string[] {
  const list = (sub: string): string[] =>
    readdirSync(join(SCHEMAS_DIR, profile, sub)).filter((f) => f.endsWith('.json')).sort().map((f) => `${sub}/${f}`);
  return [...list('plugins'), ...list('partials'), ...list('entities'), 'kong-state.schema.json'];
}

export function pluginFiles(): string[] {
  return schemaFiles().filter((f) => f.startsWith('plugins/'));
}

export function newAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  for (const k of X_KEYWORDS) ajv.addKeyword(k);
  return ajv;
}

/** An Ajv instance holding every schema file of a profile under its $id. */
export function loadAll(profile: ProfileDir = ''): { ajv: Ajv; schemas: Map<string, JsonObject> } {
  const ajv = newAjv();
  const schemas = new Map<string, JsonObject>();
  for (const f of schemaFiles(profile)) {
    const s = readJson(join(SCHEMAS_DIR, profile, f));
    schemas.set(f, s);
    ajv.addSchema(s);
  }
  return { ajv, schemas };
}

/** Visits every subschema, with its JSON path inside the file. */
export function walk(node: Json, visit: (n: JsonObject, path: string) => void, path = ''): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => walk(n, visit, `${path}/${i}`));
    return;
  }
  if (!isObject(node)) return;
  visit(node, path);
  for (const [k, v] of Object.entries(node)) {
    // `if` subschemas are conditions, not shapes
    if (k === 'enum' || k === 'default' || k === 'if' || k.startsWith('x-')) continue;
    walk(v, visit, `${path}/${k}`);
  }
}

/** The property schema at a dotted path of a record schema, following nested records. */
export function propertyAt(record: JsonObject, dotted: string): JsonObject | undefined {
  let cur: JsonObject | undefined = record;
  for (const part of dotted.split('.')) {
    const props: Json | undefined = cur?.properties;
    if (!isObject(props)) return undefined;
    const next: Json | undefined = props[part];
    cur = isObject(next) ? next : undefined;
  }
  return cur;
}
