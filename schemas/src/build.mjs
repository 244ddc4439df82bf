#!/usr/bin/env node
// Builds schemas/plugins/*.json, schemas/entities/*.json and schemas/kong-state.schema.json from
// the sources in this directory. The JSON files are committed; this script keeps them consistent.
//
//   node schemas/src/build.mjs           write the files
//   node schemas/src/build.mjs --check   exit 1 when a committed file differs from the sources
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AI_PLUGINS } from './plugins-ai.mjs';
import { CORE_PLUGINS } from './plugins-core.mjs';
import { ENTITIES } from './entities.mjs';
import { stateSchema } from './state.mjs';

const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

const text = (schema) => `${JSON.stringify(schema, null, 2)}\n`;

/** Every schema file, by path relative to schemas/. */
export function buildAll() {
  const out = new Map();
  for (const make of [...AI_PLUGINS, ...CORE_PLUGINS]) {
    const s = make();
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

function main(argv) {
  const check = argv.includes('--check');
  const stale = [];
  for (const [rel, content] of buildAll()) {
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

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
