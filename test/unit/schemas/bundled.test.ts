import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Json, type JsonObject, SCHEMAS_DIR, isObject, loadAll, newAjv, readJson, walk } from './schema-set.js';

const bundled = readJson(join(SCHEMAS_DIR, 'kong-state.bundled.json'));
const validateBundle = newAjv().compile(bundled);
const { ajv } = loadAll();
const validateState = ajv.getSchema('kong-state.schema.json');

function fixture(): JsonObject {
  const v = parse(readFileSync(join(import.meta.dirname, 'fixtures', 'kong-ai.yaml'), 'utf8')) as Json;
  if (!isObject(v)) throw new Error('fixture is not a mapping');
  return v;
}

type Path = Array<string | number>;

/** A deep copy of the fixture with the value at `path` replaced (or deleted when `value` is undefined). */
function edited(path: Path, value: Json | undefined): JsonObject {
  const root = structuredClone(fixture());
  let cur: Json = root;
  for (const key of path.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(key)] : isObject(cur) ? cur[String(key)] : undefined;
    if (next === undefined) throw new Error(`no ${path.join('.')} in fixture`);
    cur = next;
  }
  const last = path[path.length - 1];
  if (Array.isArray(cur)) {
    if (value === undefined) cur.splice(Number(last), 1);
    else cur[Number(last)] = value;
  } else if (isObject(cur)) {
    if (value === undefined) delete cur[String(last)];
    else cur[String(last)] = value;
  } else {
    throw new Error(`cannot edit ${path.join('.')}`);
  }
  return root;
}

function errorPaths(): string[] {
  return (validateBundle.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('kong-state.bundled.json', () => {
  it('is self-contained: every $ref points into its own definitions', () => {
    const defs = bundled.definitions as JsonObject;
    const refs: string[] = [];
    walk(bundled, (node) => {
      if (typeof node.$ref === 'string') refs.push(node.$ref);
    });
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) {
      expect(r).toMatch(/^#\/definitions\//);
      expect(defs).toHaveProperty([r.replace('#/definitions/', '')]);
    }
  });

  it('offers the known plugin names as completions but accepts other names', () => {
    const plugin = (bundled.definitions as JsonObject)['entity.plugin'] as JsonObject;
    const name = (plugin.properties as JsonObject).name as JsonObject;
    expect(name.examples).toContain('ai-proxy');
    expect(validateBundle(edited(['plugins', 2, 'name'], 'my-custom-plugin'))).toBe(true);
  });

  it('validates a realistic state file (and so does the modular schema)', () => {
    expect(validateBundle(fixture()), errorPaths().join('\n')).toBe(true);
    expect(validateState?.(fixture())).toBe(true);
  });

  it('rejects an unknown top-level key and an unknown entity field', () => {
    expect(validateBundle(edited(['servicez'], []))).toBe(false);
    expect(errorPaths().join('\n')).toContain('must NOT have additional properties');
    expect(validateBundle(edited(['services', 1, 'hostname'], 'x'))).toBe(false);
    expect(errorPaths()).toContain('/services/1 must NOT have additional properties');
    expect(validateState?.(edited(['services', 1, 'hostname'], 'x'))).toBe(false);
  });

  it('validates plugin configs by plugin name, also when nested', () => {
    expect(validateBundle(edited(['plugins', 0, 'config', 'key_names'], 'apikey'))).toBe(false);
    expect(errorPaths()).toContain('/plugins/0/config/key_names must be array');
    expect(validateBundle(edited(['services', 0, 'routes', 0, 'plugins', 0, 'config', 'model', 'provider'], 'acme'))).toBe(false);
    expect(errorPaths()).toContain('/services/0/routes/0/plugins/0/config/model/provider must be equal to one of the allowed values');
    expect(validateBundle(edited(['consumers', 0, 'plugins', 0, 'config', 'minute'], -1))).toBe(false);
    // The modular schema leaves plugin configs to the per-plugin schemas.
    expect(validateState?.(edited(['plugins', 0, 'config', 'key_names'], 'apikey'))).toBe(true);
  });

  it('accepts foreign keys as strings, {name} or {id}; rejects other shapes', () => {
    expect(validateBundle(edited(['routes', 0, 'service'], 'httpbin'))).toBe(true);
    expect(validateBundle(edited(['plugins', 1, 'service'], { name: 'llm' }))).toBe(true);
    expect(validateBundle(edited(['plugins', 1, 'service'], { name: 'llm', id: 'x' }))).toBe(false);
    expect(validateBundle(edited(['plugins', 1, 'service'], 42))).toBe(false);
  });

  it('requires _format_version and the required fields of entities', () => {
    expect(validateBundle(edited(['_format_version'], undefined))).toBe(false);
    expect(validateBundle(edited(['upstreams', 0, 'targets', 0, 'target'], undefined))).toBe(false);
    expect(validateBundle(edited(['consumers', 1, 'basicauth_credentials', 0, 'password'], undefined))).toBe(false);
    expect(validateBundle(edited(['_info', 'defaults', 'service', 'name'], 'x'))).toBe(false);
  });
});
