#!/usr/bin/env node
// Builds schemas/plugins/*.json, schemas/entities/*.json and schemas/kong-state.schema.json from
// the sources in this directory, for every profile (dsl.mjs PROFILES): the default one (Kong 3.14)
// at schemas/, the others under schemas/<profile>/ (schemas/3.10/, schemas/konnect/). The JSON
// files are committed; this script keeps them consistent.
//
//   node schemas/src/build.mjs           write the files
//   node schemas/src/build.mjs --check   exit 1 when a committed file differs from the sources
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KONG_REFERENCE, PROFILES, buildingFor } from './dsl.mjs';
import { HTTP_PROTOCOLS, protocolsOf } from './plugin-fields.mjs';
import { ENTITIES } from './entities.mjs';
import { partialSchema, partialTypes, supportedPartials } from './partials.mjs';
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

/** A plugin's schema for `kong`, with its `protocols` (`x-kong-protocols`) after its priority. */
export function pluginSchema(p, kong) {
  const s = buildingFor(kong, () => p.schema(kong));
  // a plugin Kong added after the profile's version has no schema in it
  if (s === null) return null;
  const protocols = p.protocols ? p.protocols(kong) : protocolsOf(HTTP_PROTOCOLS);
  // the partial types it accepts, where its schema has the field they fill
  const partials = Object.fromEntries(Object.entries(buildingFor(kong, () => supportedPartials(p.name)) ?? {})
    .filter(([, path]) => s.properties[path.split('.')[1].replace('[]', '')] !== undefined));
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    out[k] = v;
    if (k !== 'x-kong-priority') continue;
    out['x-kong-protocols'] = protocols;
    if (Object.keys(partials).length > 0) out['x-kong-partials'] = partials;
  }
  return out;
}

/** Every schema file of the profile `kong`, by path relative to schemas/. */
export async function buildAll(kong = KONG_REFERENCE) {
  const out = new Map();
  for (const p of await pluginSources()) {
    const s = pluginSchema(p, kong);
    if (s === null) continue;
    out.set(s.$id, text(s));
  }
  for (const type of buildingFor(kong, partialTypes)) {
    const s = buildingFor(kong, () => partialSchema(type));
    out.set(s.$id, text(s));
  }
  const entities = {};
  for (const make of ENTITIES) {
    const s = buildingFor(kong, make);
    entities[s.title] = s;
    out.set(s.$id, text(s));
  }
  const state = buildingFor(kong, () => stateSchema(entities));
  out.set(state.$id, text(state));
  return out;
}

/**
 * aigw's own annotation keywords (`x-…`) used in any published schema: a vocabulary for JSON
 * Schema tools in strict mode (`ajv.addVocabulary(require('aigw/schemas/aigw-keywords.json'))`).
 */
export const KEYWORDS_FILE = 'aigw-keywords.json';

export function annotationVocabulary(contents) {
  const found = new Set();
  const visit = (v) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k.startsWith('x-')) found.add(k);
        else visit(child);
      }
    }
  };
  for (const c of contents) visit(JSON.parse(c));
  return `${JSON.stringify([...found].sort(), null, 2)}\n`;
}

/** The directory of a profile's schemas, relative to schemas/ ('' for the default profile). */
export const profileDir = (kong) => (kong === KONG_REFERENCE ? '' : kong);

async function main(argv) {
  const check = argv.includes('--check');
  const stale = [];
  const files = [];
  for (const kong of PROFILES) {
    for (const [rel, content] of await buildAll(kong)) files.push([join(profileDir(kong), rel), content]);
  }
  files.push([KEYWORDS_FILE, annotationVocabulary(files.map(([, content]) => content))]);
  for (const [rel, content] of files) {
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
