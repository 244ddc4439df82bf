#!/usr/bin/env node
/**
 * Kong's plugin field lists, for the drift test (test/unit/schemas/kong-plugin-drift.test.ts): the
 * config fields (dotted paths, `[]` for the records of an array) and their JSON types of every plugin
 * aigw registers, per Kong version of an aigw profile, extracted from the plugin JSON schemas Kong
 * publishes in Kong/developer.konghq.com (`app/_schemas/gateway/plugins/<version>/<Name>.json`).
 * Names and types only: descriptions, defaults and enums stay in Kong's repository.
 *
 * Usage (a checkout or an extracted copy of that repository's app/_schemas/gateway/plugins):
 *   git --git-dir <developer.konghq.com.git> archive HEAD app/_schemas/gateway/plugins | tar -x -C /tmp/kdocs
 *   node scripts/kong-plugin-fields.mjs /tmp/kdocs/app/_schemas/gateway/plugins <commit>
 * writes test/unit/schemas/fixtures/kong-plugin-fields/<version>.json for 3.10 and 3.14; the
 * commit is recorded in each file (and belongs in the NOTICE next to them).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(ROOT, 'test', 'unit', 'schemas', 'fixtures', 'kong-plugin-fields');
/** aigw's profile folder (under schemas/) of each Kong version compared. */
export const PROFILES = { '3.10': '3.10', '3.14': '' };

/** Kong's file name of a plugin: `ai-proxy-advanced` → `AiProxyAdvanced.json` (`acl` → `ACL.json`). */
export function kongFileName(plugin) {
  if (plugin === 'acl') return 'ACL.json';
  return `${plugin.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('')}.json`;
}

function typeOf(s) {
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null') : s.type === undefined ? [] : [s.type];
  return t.length === 0 ? 'any' : t.join('|');
}

/**
 * The fields of a config schema (Kong's or aigw's), `path → type`: a record's fields are walked as
 * `a.b`, an array of records as `a[].b`; `visit(path, schema)` sees each field.
 */
export function fieldTypes(schema, visit = () => {}, prefix = '', out = {}) {
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${key}`;
    out[path] = typeOf(s);
    visit(path, s);
    if (s.properties) fieldTypes(s, visit, `${path}.`, out);
    if (s.items && !Array.isArray(s.items) && s.items.properties) fieldTypes(s.items, visit, `${path}[].`, out);
  }
  return out;
}

function main([dir, commit]) {
  if (!dir || !commit) {
    console.error('usage: node scripts/kong-plugin-fields.mjs <…/app/_schemas/gateway/plugins> <commit>');
    process.exit(2);
  }
  mkdirSync(FIXTURES, { recursive: true });
  for (const [version, profile] of Object.entries(PROFILES)) {
    const aigw = join(ROOT, 'schemas', profile, 'plugins');
    const plugins = {};
    for (const file of readdirSync(aigw).filter((f) => f.endsWith('.json')).sort()) {
      const own = JSON.parse(readFileSync(join(aigw, file), 'utf8'));
      if (own['x-aigw-extension']) continue; // aigw's own plugin: Kong has none
      const name = file.slice(0, -'.json'.length);
      const kong = join(dir, version, kongFileName(name));
      if (!existsSync(kong)) throw new Error(`${kong}: no Kong ${version} schema for ${name}`);
      plugins[name] = fieldTypes(JSON.parse(readFileSync(kong, 'utf8')).properties.config);
    }
    const out = { source: `Kong/developer.konghq.com@${commit} app/_schemas/gateway/plugins/${version}/ (MIT, see NOTICE)`, plugins };
    writeFileSync(join(FIXTURES, `${version}.json`), `${JSON.stringify(out, null, 1)}\n`);
    console.log(`${version}: ${Object.keys(plugins).length} plugins`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
