#!/usr/bin/env node
// Bundles schemas/kong-state.schema.json, schemas/entities/*.json and schemas/plugins/*.json into
// one self-contained draft-07 file for editors (yaml-language-server, VS Code):
// schemas/kong-state.bundled.json. Every $ref points into `definitions`; a plugin's `config` is
// validated against its plugin schema by `name` (if/then).
//
//   node scripts/bundle-schema.mjs           write the bundle
//   node scripts/bundle-schema.mjs --check   exit 1 when the committed bundle is stale
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_FILE = 'kong-state.bundled.json';

const entityDef = (kind) => `entity.${kind}`;
const pluginDef = (name) => `plugin.${name}`;

function readJson(schemasDir, rel) {
  return JSON.parse(readFileSync(join(schemasDir, rel), 'utf8'));
}

function listJson(schemasDir, sub) {
  return readdirSync(join(schemasDir, sub)).filter((f) => f.endsWith('.json')).sort();
}

/** Deep copy of `node` with `$schema`/`$id` dropped and file $refs rewritten to local definitions. */
function relink(node) {
  if (Array.isArray(node)) return node.map(relink);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema' || k === '$id') continue;
    if (k === '$ref' && typeof v === 'string') {
      const m = /^(?:\.\.\/entities\/|entities\/)?([a-z0-9_]+)\.json$/.exec(v);
      if (!m) throw new Error(`cannot bundle $ref ${v}`);
      out.$ref = `#/definitions/${entityDef(m[1])}`;
      continue;
    }
    out[k] = relink(v);
  }
  return out;
}

/** if/then clauses that validate plugin.config by plugin name. */
function configByName(pluginNames) {
  return pluginNames.map((name) => ({
    if: { type: 'object', properties: { name: { const: name } }, required: ['name'] },
    then: {
      type: 'object',
      properties: { config: { anyOf: [{ $ref: `#/definitions/${pluginDef(name)}` }, { type: 'null' }] } },
    },
  }));
}

/** The bundled schema as an object. */
export function bundle(schemasDir = join(ROOT, 'schemas')) {
  const definitions = {};
  const pluginNames = [];
  for (const file of listJson(schemasDir, 'plugins')) {
    const s = readJson(schemasDir, `plugins/${file}`);
    const name = s['x-kong-plugin'];
    if (typeof name !== 'string') throw new Error(`plugins/${file}: missing x-kong-plugin`);
    pluginNames.push(name);
    definitions[pluginDef(name)] = relink(s);
  }
  for (const file of listJson(schemasDir, 'entities')) {
    const kind = file.replace(/\.json$/, '');
    definitions[entityDef(kind)] = relink(readJson(schemasDir, `entities/${file}`));
  }
  const pluginEntity = definitions[entityDef('plugin')];
  pluginEntity.allOf = configByName(pluginNames);
  // Editors offer `examples` as completions; other plugin names stay valid.
  pluginEntity.properties.name.examples = pluginNames;
  const state = relink(readJson(schemasDir, 'kong-state.schema.json'));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: BUNDLE_FILE,
    ...state,
    definitions,
  };
}

/** The profile directories: schemas/ (the default profile) and schemas/<profile>/ (see schemas/src/build.mjs). */
function profileDirs() {
  const root = join(ROOT, 'schemas');
  const subs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'kong-state.schema.json'))).map((d) => d.name).sort();
  return ['', ...subs];
}

function main(argv) {
  for (const sub of profileDirs()) {
    const dir = join(ROOT, 'schemas', sub);
    const file = join(dir, BUNDLE_FILE);
    const content = `${JSON.stringify(bundle(dir), null, 2)}\n`;
    if (argv.includes('--check')) {
      if (!existsSync(file) || readFileSync(file, 'utf8') !== content) {
        process.stderr.write(`${join('schemas', sub, BUNDLE_FILE)} is out of date (run node scripts/bundle-schema.mjs)\n`);
        process.exitCode = 1;
      }
      continue;
    }
    writeFileSync(file, content);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
