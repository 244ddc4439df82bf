import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as AjvModule from 'ajv';
import type { Ajv, ValidateFunction } from 'ajv';
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
  /** A Kong field that changes nothing under aigw serve (validate/serve-marks.ts). */
  'x-aigw-no-effect'?: string;
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

/** The schema files of a profile directory, relative to it, sorted (scripts/compile-validators.mjs lists them alike). */
function schemaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ['entities', 'plugins', 'partials']) {
    const full = join(dir, sub);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full).sort()) if (name.endsWith('.json')) out.push(`${sub}/${name}`);
  }
  out.push('kong-state.schema.json');
  return out.sort();
}

/** aigw's annotation keywords (`x-…`), as published with the schemas (schemas/src/build.mjs writes the list). */
function annotationKeywords(root: string): string[] {
  return JSON.parse(readFileSync(join(root, 'aigw-keywords.json'), 'utf8')) as string[];
}

/** Digest of every schema file (path and bytes); precompiled validators are used only when it matches. */
function filesHash(dir: string, files: readonly string[]): string {
  const h = createHash('sha256');
  for (const rel of files) h.update(rel).update('\0').update(readFileSync(join(dir, rel))).update('\0');
  return h.digest('hex');
}

/** `plugins/ai-proxy.json` → `plugins_ai_proxy`, the export name in dist/validators/<module>.cjs. */
function validatorExportName(rel: string): string {
  return rel.replace(/\.json$/, '').replace(/[^A-Za-z0-9]/g, '_');
}

type Precompiled = (rel: string) => ValidateFunction | undefined;

/**
 * Validators precompiled at build time (scripts/compile-validators.mjs → dist/validators/), when
 * present and built from exactly these schema files; null means compile at run time. Each module
 * is required when one of its schemas is first used (one per plugin: a gateway loads only the
 * validators of the plugins its configuration names).
 */
function precompiled(dir: string, files: readonly string[]): Precompiled | null {
  const out = join(dirname(dir), 'dist', 'validators');
  const indexFile = join(out, 'index.json');
  if (!existsSync(indexFile)) return null;
  try {
    const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { hash?: string; modules?: Record<string, string> };
    if (index.hash !== filesHash(dir, files) || index.modules === undefined) return null;
    const modules = index.modules;
    const req = createRequire(import.meta.url);
    return (rel) => {
      const mod = modules[rel];
      if (mod === undefined) return undefined;
      try {
        return (req(join(out, mod)) as Record<string, ValidateFunction | undefined>)[validatorExportName(rel)];
      } catch {
        return undefined;
      }
    };
  } catch {
    return null;
  }
}

/** An ajv instance holding every schema of the profile (compiles what is not precompiled). */
function compiler(root: string, raws: ReadonlyMap<string, JsonSchema>): Ajv {
  // required here, not imported: a gateway whose validators are all precompiled never loads the compiler
  const req = createRequire(import.meta.url);
  const { Ajv } = req('ajv') as typeof AjvModule;
  const addFormatsModule = req('ajv-formats') as unknown;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, validateSchema: false, addUsedSchema: false });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  for (const k of annotationKeywords(root)) {
    ajv.addKeyword({ keyword: k, schemaType: ['array', 'boolean', 'string', 'object', 'number'] });
  }
  for (const [rel, schema] of raws) ajv.addSchema({ ...schema, $id: BASE + rel });
  return ajv;
}

/**
 * The schemas of a profile. Everything is read on first use: a schema file when it is first asked
 * for, a precompiled validator module when one of its schemas is first validated against, and the
 * run-time compiler (with every schema) only when a validator is not precompiled.
 */
function createRegistry(profile: KongProfile): SchemaRegistry {
  const root = findSchemasDir();
  const dir = profile === DEFAULT_PROFILE ? root : join(root, profile);
  const files = schemaFiles(dir);
  const known = new Set(files);
  const raws = new Map<string, JsonSchema>();
  const raw = (rel: string): JsonSchema | undefined => {
    if (!known.has(rel)) return undefined;
    let s = raws.get(rel);
    if (s === undefined) {
      s = JSON.parse(readFileSync(join(dir, rel), 'utf8')) as JsonSchema;
      raws.set(rel, s);
    }
    return s;
  };
  let ajv: Ajv | null = null;
  const runtimeCompiler = (): Ajv => (ajv ??= compiler(root, new Map(files.map((rel) => [rel, raw(rel) as JsonSchema]))));
  // validators are precompiled for the default profile only; the others compile on first use
  const pre = profile === DEFAULT_PROFILE ? precompiled(dir, files) : null;
  const validators = new Map<string, ValidateFunction | undefined>();
  const compiled = (rel: string): ValidateFunction | undefined => {
    if (!known.has(rel)) return undefined;
    if (!validators.has(rel)) validators.set(rel, pre?.(rel) ?? runtimeCompiler().getSchema(BASE + rel));
    return validators.get(rel);
  };
  return {
    dir,
    get ajv() {
      return runtimeCompiler();
    },
    raw,
    plugin: (name) => raw(`plugins/${name}.json`),
    partial: (type) => raw(`partials/${type}.json`),
    pluginValidator: (name) => compiled(`plugins/${name}.json`),
    entity(kind) {
      const s = raw(KIND_BY_NAME[kind].schema);
      if (!s) throw new Error(`schema ${KIND_BY_NAME[kind].schema} is missing`);
      return s;
    },
    validator: compiled,
    fileValidator() {
      const v = compiled('kong-state.schema.json');
      if (!v) throw new Error('kong-state.schema.json failed to compile');
      return v;
    },
    knownPlugins: () => files.filter((k) => k.startsWith('plugins/')).map((k) => k.slice(8, -5)).sort(),
    resolve(schema, fromRel) {
      let current = schema;
      let rel = fromRel;
      for (let i = 0; i < 10 && current.$ref !== undefined; i++) {
        const [file, pointer] = current.$ref.split('#');
        if (file) rel = new URL(file, BASE + rel).href.slice(BASE.length);
        let target: unknown = raw(rel);
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
