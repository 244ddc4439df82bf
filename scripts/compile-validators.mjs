// Precompiles the JSON Schema validators with ajv's standalone code generation, so that the CLI does
// not compile schemas at every start (about 0.4 s saved on `aigw validate`). Output: dist/validators/,
// one CommonJS module per group of schemas (the state file and the entities together, then one per
// plugin and per partial) and index.json (which module holds which schema, and the digest of the
// schema files they were built from). src/config/schemas.ts requires a module only when a schema of
// it is first used, so `aigw serve` with one plugin does not load the other plugins' validators
// (3.4 MiB of code in one file before). The runtime compiler is the fallback (tests run from src/
// without dist). Run after tsc: `node scripts/compile-validators.mjs`.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = 'https://schemas.aigw.invalid/';
const schemasDir = join(root, 'schemas');

/** The schema files of a profile directory, relative to it, sorted (same list as schemaFiles() in src/config/schemas.ts). */
function schemaFiles(dir) {
  const out = [];
  for (const sub of ['entities', 'plugins', 'partials']) {
    for (const name of readdirSync(join(dir, sub)).sort()) if (name.endsWith('.json')) out.push(`${sub}/${name}`);
  }
  out.push('kong-state.schema.json');
  return out.sort();
}

/** Same digest as filesHash() in src/config/schemas.ts: every schema file's path and bytes. */
function filesHash(dir, files) {
  const h = createHash('sha256');
  for (const rel of files) h.update(rel).update('\0').update(readFileSync(join(dir, rel))).update('\0');
  return h.digest('hex');
}

const files = schemaFiles(schemasDir);
const raws = new Map(files.map((rel) => [rel, JSON.parse(readFileSync(join(schemasDir, rel), 'utf8'))]));
const keywords = JSON.parse(readFileSync(join(schemasDir, 'aigw-keywords.json'), 'utf8'));

const ajv = new Ajv({
  allErrors: true, verbose: true, strict: true, allowUnionTypes: true, validateSchema: false, addUsedSchema: false,
  code: { source: true, esm: false, formats: _`require("ajv-formats/dist/formats").fullFormats` },
});
(addFormats.default ?? addFormats)(ajv);
for (const k of keywords) ajv.addKeyword({ keyword: k, schemaType: ['array', 'boolean', 'string', 'object', 'number'] });
for (const [rel, schema] of raws) ajv.addSchema({ ...schema, $id: BASE + rel });

/** Export name of a schema path: `plugins/ai-proxy.json` → `plugins_ai_proxy` (see validatorExportName in schemas.ts). */
const exportName = (rel) => rel.replace(/\.json$/, '').replace(/[^A-Za-z0-9]/g, '_');
/** The module of a schema: the state file and the entities share one (their code overlaps); each plugin and partial has its own. */
const moduleOf = (rel) => (rel.startsWith('plugins/') || rel.startsWith('partials/') ? `${exportName(rel)}.cjs` : 'core.cjs');

const out = join(root, 'dist', 'validators');
rmSync(out, { recursive: true, force: true });
rmSync(join(root, 'dist', 'validators.cjs'), { force: true }); // the single file of earlier builds
mkdirSync(out, { recursive: true });
const groups = new Map();
for (const rel of files) groups.set(moduleOf(rel), [...(groups.get(moduleOf(rel)) ?? []), rel]);
let bytes = 0;
for (const [mod, rels] of groups) {
  const code = standaloneCode(ajv, Object.fromEntries(rels.map((rel) => [exportName(rel), BASE + rel])));
  writeFileSync(join(out, mod), code);
  bytes += code.length;
}
// the runtime checks this digest against the schema files it finds, so stale validators are never used
const index = { hash: filesHash(schemasDir, files), modules: Object.fromEntries(files.map((rel) => [rel, moduleOf(rel)])) };
writeFileSync(join(out, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
console.log(`compiled ${files.length} schemas into ${groups.size} modules under dist/validators/ (${(bytes / 1024).toFixed(0)} KiB)`);
