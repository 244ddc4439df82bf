#!/usr/bin/env node
// Builds schemas/plugins/*.json, schemas/entities/*.json and schemas/kong-state.schema.json from
// the sources in this directory. The JSON files are committed; this script keeps them consistent.
//
//   node schemas/src/build.mjs           write the files
//   node schemas/src/build.mjs --check   exit 1 when a committed file differs from the sources
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KONG_REFERENCE } from './dsl.mjs';
import { ENTITIES } from './entities.mjs';
import { stateSchema } from './state.mjs';

const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Each plugin's schema source lives in its folder: src/gateway/plugins/<name>/schema.mjs. */
export const PLUGINS_DIR = join(SCHEMAS_DIR, '..', 'src', 'gateway', 'plugins');

/** The plugin schema sources, sorted by plugin name: `{ name, priority, schema(kong) }`. */
export async function pluginSources() {
  const dirs = readdirSync(PLUGINS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const out = [];
  for (const d of dirs) {
    const file = join(PLUGINS_DIR, d, 'schema.mjs');
    if (!existsSync(file)) throw new Error(`plugin folder ${d} has no schema.mjs`);
    const m = await import(pathToFileURL(file).href);
    if (m.name !== d) throw new Error(`${file}: name '${m.name}' differs from its folder`);
    out.push(m);
  }
  return out;
}

const text = (schema) => `${JSON.stringify(schema, null, 2)}\n`;

/** Every schema file, by path relative to schemas/. */
export async function buildAll() {
  const out = new Map();
  for (const p of await pluginSources()) {
    const s = p.schema(KONG_REFERENCE);
    // a plugin Kong added after the profile's version has no schema in it
    if (s === null) continue;
    out.set(s.$id, text(s));
  }
  const entities = {};
  for (const make of ENTITIES) {
    const s = make();
    entities[s.title] = s;
    out.set(s.$id, text(s));
  }
  const state = stateSchema(entities);
  out.set(state.$id, text(state));
  return out;
}

async function main(argv) {
  const check = argv.includes('--check');
  const stale = [];
  for (const [rel, content] of await buildAll()) {
    const file = join(SCHEMAS_DIR, rel);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (current === content) continue;
    if (check) {
      stale.push(rel);
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`schemas out of date (run node schemas/src/build.mjs): ${stale.join(', ')}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
