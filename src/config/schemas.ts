import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { KIND_BY_NAME, type KindName } from './kinds.js';
import { DEFAULT_PROFILE, type KongProfile } from './kong-version.js';

/**
 * The JSON Schemas under schemas/ are the single source of truth for entity and plugin-config
 * fields, types, ranges and defaults. This module loads them once and hands out compiled
 * validators and raw schemas (for default filling, masking and unsupported-field warnings).
 */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  $ref?: string;
  $id?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
  description?: string;
  'x-entity-checks'?: EntityCheck[];
  'x-secret'?: boolean;
  'x-referenceable'?: boolean;
  'x-aigw-unsupported'?: string;
  'x-aigw-unsupported-values'?: Record<string, string>;
  'x-kong-priority'?: number;
  'x-kong-plugin'?: string;
  [k: string]: unknown;
};

export type EntityCheck = Record<string, unknown> & { message?: string };

const BASE = 'https://schemas.aigw.invalid/';

function findSchemasDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'entities')) && existsSync(join(candidate, 'plugins'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('schemas/ directory not found next to the aigw installation');
}

export interface SchemaRegistry {
  readonly dir: string;
  readonly ajv: Ajv;
  /** Raw schema by path relative to schemas/ (e.g. `plugins/ai-proxy.json`). */
  raw(relPath: string): JsonSchema | undefined;
  plugin(name: string): JsonSchema | undefined;
  /** The config schema of a partial type (`partials/<type>.json`). */
  partial(type: string): JsonSchema | undefined;
  pluginValidator(name: string): ValidateFunction | undefined;
  entity(kind: KindName): JsonSchema;
  /** Compiled validator of a schema by path relative to schemas/. */
  validator(relPath: string): ValidateFunction | undefined;
  fileValidator(): ValidateFunction;
  knownPlugins(): string[];
  /** Resolve a `$ref` found inside the schema at `relPath`. */
  resolve(schema: JsonSchema, fromRelPath: string): { schema: JsonSchema; relPath: string };
}

const registries = new Map<KongProfile, SchemaRegistry>();
let active: KongProfile = DEFAULT_PROFILE;

function readJsonDir(dir: string, sub: string, out: Map<string, JsonSchema>): void {
  const full = join(dir, sub);
  if (!existsSync(full)) return;
  for (const name of readdirSync(full).sort()) {
    if (name.endsWith('.json')) out.set(`${sub}/${name}`, JSON.parse(readFileSync(join(full, name), 'utf8')) as JsonSchema);
  }
}

/** aigw's annotation keywords (`x-…`), as published with the schemas (schemas/src/build.mjs writes the list). */
function annotationKeywords(root: string): string[] {
  return JSON.parse(readFileSync(join(root, 'aigw-keywords.json'), 'utf8')) as string[];
}

/** Digest of every loaded schema; precompiled validators are used only when it matches. */
function schemasHash(raws: Map<string, JsonSchema>): string {
  const h = createHash('sha256');
  for (const [rel, s] of [...raws].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(rel).update(JSON.stringify(s));
  return h.digest('hex');
}

/** `plugins/ai-proxy.json` → `plugins_ai_proxy`, the export name in dist/validators.cjs. */
function validatorExportName(rel: string): string {
  return rel.replace(/\.json$/, '').replace(/[^A-Za-z0-9]/g, '_');
}

/**
 * Validators precompiled at build time (scripts/compile-validators.mjs → dist/validators.cjs),
 * when present and built from exactly these schemas; null means compile at run time.
 */
function precompiled(dir: string, raws: Map<string, JsonSchema>): Record<string, ValidateFunction> | null {
  const file = join(dirname(dir), 'dist', 'validators.cjs');
  if (!existsSync(file)) return null;
  try {
    const mod = createRequire(import.meta.url)(file) as Record<string, ValidateFunction> & { __schemasHash?: string };
    return mod.__schemasHash === schemasHash(raws) ? mod : null;
  } catch {
    return null;
  }
}

function createRegistry(profile: KongProfile): SchemaRegistry {
  const root = findSchemasDir();
  const dir = profile === DEFAULT_PROFILE ? root : join(root, profile);
  const raws = new Map<string, JsonSchema>();
  readJsonDir(dir, 'entities', raws);
  readJsonDir(dir, 'plugins', raws);
  readJsonDir(dir, 'partials', raws);
  raws.set('kong-state.schema.json', JSON.parse(readFileSync(join(dir, 'kong-state.schema.json'), 'utf8')) as JsonSchema);
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, validateSchema: false, addUsedSchema: false });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  for (const k of annotationKeywords(root)) {
    ajv.addKeyword({ keyword: k, schemaType: ['array', 'boolean', 'string', 'object', 'number'] });
  }
  for (const [rel, schema] of raws) ajv.addSchema({ ...schema, $id: BASE + rel });
  // validators are precompiled for the default profile only; the others compile on first use
  const pre = profile === DEFAULT_PROFILE ? precompiled(dir, raws) : null;
  const compiled = (rel: string): ValidateFunction | undefined => pre?.[validatorExportName(rel)] ?? ajv.getSchema(BASE + rel);
  const pluginValidators = new Map<string, ValidateFunction | undefined>();
  let fileValidator: ValidateFunction | null = null;
  return {
    dir,
    ajv,
    raw: (rel) => raws.get(rel),
    plugin: (name) => raws.get(`plugins/${name}.json`),
    partial: (type) => raws.get(`partials/${type}.json`),
    pluginValidator(name) {
      if (!pluginValidators.has(name)) {
        pluginValidators.set(name, raws.has(`plugins/${name}.json`) ? compiled(`plugins/${name}.json`) : undefined);
      }
      return pluginValidators.get(name);
    },
    entity(kind) {
      const s = raws.get(KIND_BY_NAME[kind].schema);
      if (!s) throw new Error(`schema ${KIND_BY_NAME[kind].schema} is missing`);
      return s;
    },
    validator: (rel) => (raws.has(rel) ? compiled(rel) : undefined),
    fileValidator() {
      fileValidator ??= compiled('kong-state.schema.json') ?? null;
      if (!fileValidator) throw new Error('kong-state.schema.json failed to compile');
      return fileValidator;
    },
    knownPlugins: () => [...raws.keys()].filter((k) => k.startsWith('plugins/')).map((k) => k.slice(8, -5)).sort(),
    resolve(schema, fromRel) {
      let current = schema;
      let rel = fromRel;
      for (let i = 0; i < 10 && current.$ref !== undefined; i++) {
        const [file, pointer] = current.$ref.split('#');
        if (file) rel = new URL(file, BASE + rel).href.slice(BASE.length);
        let target: unknown = raws.get(rel);
        for (const seg of (pointer ?? '').split('/').filter(Boolean)) target = (target as Record<string, unknown> | undefined)?.[seg];
        if (target === undefined) throw new Error(`unresolvable $ref ${current.$ref} in ${fromRel}`);
        current = target as JsonSchema;
      }
      return { schema: current, relPath: rel };
    },
  };
}

/** The schemas of the active profile (the default, Kong 3.14, unless `useKongProfile` chose another). */
export function schemas(): SchemaRegistry {
  let r = registries.get(active);
  if (r === undefined) {
    r = createRegistry(active);
    registries.set(active, r);
  }
  return r;
}

/**
 * Check configurations against `profile` from now on (`--kong-version`, or the target's version
 * in diff/sync). Process-wide: a command sets it once, before loading its files.
 */
export function useKongProfile(profile: KongProfile): void {
  active = profile;
}

/** The active profile. */
export function kongProfile(): KongProfile {
  return active;
}

/** Kong priority of a plugin, from its schema (`x-kong-priority`). */
export function pluginPriority(name: string): number | undefined {
  return schemas().plugin(name)?.['x-kong-priority'];
}
