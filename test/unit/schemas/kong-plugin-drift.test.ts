/**
 * Drift between aigw's plugin schemas and Kong's, per profile: every config field of Kong 3.10 and
 * Kong 3.14 (Kong's published plugin JSON schemas, names and types vendored in
 * fixtures/kong-plugin-fields/, see its NOTICE; regenerate with scripts/kong-plugin-fields.mjs) is in
 * aigw's profile of that version with Kong's type, and aigw's profile has no field Kong lacks except
 * those it marks: `x-aigw-extension` (aigw's own, validate says so) or `x-deprecated` (Kong's
 * deprecated shorthands, which Kong's JSON schemas leave out).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, SCHEMAS_DIR, readJson, type Json, type JsonObject } from './schema-set.js';

interface FieldsModule {
  fieldTypes(schema: unknown, visit?: (path: string, s: JsonObject) => void): Record<string, string>;
  PROFILES: Record<string, string>;
}
const { fieldTypes, PROFILES } = (await import(pathToFileURL(join(ROOT, 'scripts', 'kong-plugin-fields.mjs')).href)) as FieldsModule;
const FIXTURES = join(ROOT, 'test', 'unit', 'schemas', 'fixtures', 'kong-plugin-fields');

interface Reference { source: string; plugins: Record<string, Record<string, string>> }

/** aigw's fields of a plugin, and the ones marked as aigw's own or Kong's deprecated shorthands (with everything under them). */
function aigwFields(schema: JsonObject): { types: Record<string, string>; marked: Set<string> } {
  const marked = new Set<string>();
  const types = fieldTypes(schema, (path, s) => {
    const parent = path.replace(/(\[\])?\.[^.]+$/, '');
    if (marked.has(parent) || s['x-aigw-extension'] !== undefined || s['x-deprecated'] !== undefined) marked.add(path);
  });
  return { types, marked };
}

function drift(kong: Record<string, string>, schema: JsonObject): { missing: string[]; extra: string[]; types: string[] } {
  const own = aigwFields(schema);
  return {
    missing: Object.keys(kong).filter((f) => !(f in own.types)),
    extra: Object.keys(own.types).filter((f) => !(f in kong) && !own.marked.has(f)),
    types: Object.keys(kong).filter((f) => f in own.types && own.types[f] !== kong[f]).map((f) => `${f}: Kong ${kong[f]}, aigw ${own.types[f]}`),
  };
}

describe.each(Object.entries(PROFILES))("aigw's Kong %s profile and Kong's plugin schemas", (version, profile) => {
  const reference = readJson(join(FIXTURES, `${version}.json`)) as unknown as Reference;
  const dir = join(SCHEMAS_DIR, profile, 'plugins');
  const schemas = new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.slice(0, -5), readJson(join(dir, f))]));
  const kongPlugins = [...schemas].filter(([, s]) => s['x-aigw-extension'] === undefined).map(([n]) => n);

  it('compares the same plugins (a new plugin: rerun scripts/kong-plugin-fields.mjs)', () => {
    expect(Object.keys(reference.plugins).sort()).toEqual(kongPlugins.sort());
  });

  it.each(kongPlugins)('%s: the same fields, with the same types', (name) => {
    const kong = reference.plugins[name];
    expect(kong, `no Kong ${version} field list for ${name}`).toBeDefined();
    expect(drift(kong, schemas.get(name) as JsonObject)).toEqual({ missing: [], extra: [], types: [] });
  });

  it('detects drift both ways (a field removed from, or added to, aigw)', () => {
    const name = 'request-validator';
    const schema = schemas.get(name) as JsonObject;
    const props = schema.properties as Record<string, Json>;
    const without = { ...schema, properties: Object.fromEntries(Object.entries(props).filter(([k]) => k !== 'verbose_response')) };
    const withExtra = { ...schema, properties: { ...props, invented: { type: 'string' } } };
    const marked = { ...schema, properties: { ...props, invented: { type: 'string', 'x-aigw-extension': 'aigw only' } } };
    expect(drift(reference.plugins[name], without).missing).toEqual(['verbose_response']);
    expect(drift(reference.plugins[name], withExtra).extra).toEqual(['invented']);
    expect(drift(reference.plugins[name], marked).extra).toEqual([]);
  });
});
