import { schemas, type JsonSchema } from '../schemas.js';
import { fillPartialDefaults, fillPluginDefaults, isRecordSchema, resolveSchema } from '../defaults.js';
import { runEntityChecks } from './entity-checks.js';
import { mapAjvErrors, type SchemaProblem } from './schema-errors.js';
import { compileKongRegex } from '../regex.js';
import type { Severity } from '../issues.js';
import { EMBEDDED_REFERENCE, embeddedReferences, notReferenceable, vaultSites } from '../vault-refs.js';
import { LOADED_PLUGINS } from '../../gateway/plugins/index.js';
import { shorthandMismatches } from '../shorthands.js';
import { servedMarks } from './serve-marks.js';

/** A problem in a plugin's `config`, with a path relative to `config`. */
export interface ConfigProblem extends SchemaProblem {
  severity: Severity;
}

/** Fields holding PCRE patterns, by plugin (checked so a bad pattern fails at validate time, not as a 500). */
const REGEX_FIELDS: Record<string, string[]> = {
  'ai-prompt-guard': ['allow_patterns', 'deny_patterns'],
  'ai-response-transformer': ['transformation_extract_pattern'],
  'ai-request-transformer': ['transformation_extract_pattern'],
};

/** Fields whose elements are `*` or a regex (Kong's `validate_asterisk_or_regex`), by plugin. */
const ASTERISK_OR_REGEX_FIELDS: Record<string, string[]> = {
  cors: ['origins'],
};

function regexProblems(name: string, config: Record<string, unknown>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const fields = [...(REGEX_FIELDS[name] ?? []), ...(ASTERISK_OR_REGEX_FIELDS[name] ?? [])];
  for (const field of fields) {
    const asterisk = ASTERISK_OR_REGEX_FIELDS[name]?.includes(field) ?? false;
    const v = config[field];
    const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
    list.forEach((pattern, i) => {
      if (typeof pattern !== 'string' || (asterisk && pattern === '*')) return;
      const r = compileKongRegex(pattern);
      if (!('error' in r)) return;
      const message = asterisk ? `'${pattern}' is not a valid regex` : `invalid regex '${pattern}': ${r.error}`;
      out.push({ severity: 'error', code: 'AIGW_REGEX', path: Array.isArray(v) ? [field, i] : [field], at: 'value', message });
    });
  }
  return out;
}

/**
 * Fields and values the schemas mark `x-aigw-extension*` (aigw features a real Kong rejects). A
 * field counts when it is set to something other than its default; records and arrays of records
 * are walked.
 */
export function extensionProblems(schema: JsonSchema, rel: string, raw: unknown, base: Array<string | number>): ConfigProblem[] {
  const { schema: s, relPath } = resolveSchema(schema, rel);
  if (!isRecordSchema(s) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const out: ConfigProblem[] = [];
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const v = (raw as Record<string, unknown>)[key];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    const p = resolveSchema(prop, relPath).schema;
    const reason = (prop['x-aigw-extension'] ?? p['x-aigw-extension']) as string | undefined;
    const isDefault = JSON.stringify(v) === JSON.stringify(p.default ?? prop.default);
    if (reason && !isDefault) out.push({ severity: 'warning', code: 'AIGW_EXTENSION', path: [...base, key], at: 'key', message: `'${key}' works under aigw serve only: ${reason}` });
    const values = (prop['x-aigw-extension-values'] ?? p['x-aigw-extension-values']) as Record<string, string> | undefined;
    if (values && typeof v === 'string' && values[v]) {
      out.push({ severity: 'warning', code: 'AIGW_EXTENSION', path: [...base, key], at: 'value', message: `${key} '${v}' works under aigw serve only: ${values[v]}` });
    }
    if (Array.isArray(v) && p.items) v.forEach((item, i) => out.push(...extensionProblems(p.items as JsonSchema, relPath, item, [...base, key, i])));
    else if (typeof v === 'object') out.push(...extensionProblems(prop, relPath, v, [...base, key]));
  }
  return out;
}

/**
 * Warn about the Kong fields aigw serve has not implemented (validate/serve-marks.ts): those it
 * refuses (`x-aigw-unsupported*`) and those that change nothing under it (`x-aigw-no-effect`).
 */
export function unsupportedProblems(schema: JsonSchema, rel: string, raw: unknown, base: Array<string | number>): ConfigProblem[] {
  return servedMarks(schema, rel, raw, base).map((m) => {
    const k = String(m.path.at(-1));
    const message = m.kind === 'no-effect' ? `'${k}' has no effect under aigw serve: ${m.why}`
      : m.at === 'value' ? `${k} '${m.value}' is accepted for Kong compatibility but aigw serve refuses it: ${m.why}`
        : `'${k}' is accepted for Kong compatibility but aigw serve refuses it: ${m.why}`;
    return { severity: 'warning', code: m.kind === 'no-effect' ? 'AIGW_NO_EFFECT' : 'AIGW_UNSUPPORTED', path: m.path, at: m.at, message };
  });
}

/** `{vault://…}` references outside the fields Kong marks referenceable (see vault-refs.ts). */
export function vaultProblems(schema: JsonSchema, rel: string, value: unknown): ConfigProblem[] {
  return vaultSites(schema, rel, value)
    .filter((site) => !site.referenceable)
    .map((site) => ({ severity: 'error', code: 'AIGW_VAULT_REFERENCE', path: site.path, at: 'value', message: notReferenceable(site.path) }));
}

/** Warnings for vault references written inside other text (never resolved, by Kong either). */
export function embeddedReferenceProblems(value: unknown): ConfigProblem[] {
  return embeddedReferences(value).map((path) => ({ severity: 'warning', code: 'AIGW_VAULT_REFERENCE', path, at: 'value', message: EMBEDDED_REFERENCE }));
}

/**
 * Whatever validates must build: the gateway's own `parse` of the plugin (what `aigw serve` runs
 * when it loads the config) is tried on the filled config, and what it refuses is an error here,
 * at validate and in the Admin API, instead of a gateway that cannot load its file. A config with
 * vault references is built when the references are resolved (at load) instead. The implementation
 * is the one loaded before validation (loadState loads every plugin the files name); a plugin not
 * loaded is checked when the Runtime is built, which loads it first.
 */
function buildProblems(name: string, schema: JsonSchema, filled: unknown): ConfigProblem[] {
  const plugin = LOADED_PLUGINS.get(name);
  if (!plugin?.parse || vaultSites(schema, `plugins/${name}.json`, filled).length > 0) return [];
  try {
    plugin.parse(filled as never);
    return [];
  } catch (err) {
    const message = (err as Error).message;
    // a feature Kong has and aigw serve does not run (serve refuses it at startup): a warning, the file stays valid for Kong
    if (/aigw serve|in aigw|aigw keeps/.test(message)) return [{ severity: 'warning', code: 'AIGW_UNSUPPORTED', path: [], at: 'key', message: `aigw serve refuses this config: ${message}` }];
    return [{ severity: 'error', code: 'AIGW_VALUE', path: [], at: 'key', message: `aigw serve cannot build this config: ${message}` }];
  }
}

interface Moved { fields: string[]; values?: Record<string, string[]>; message: string }

/**
 * A config written for a plugin aigw has renamed (`x-aigw-moved` on the schema root: the former
 * plugin's own fields and values): one error saying what to write instead, rather than one
 * unknown-field error per field.
 */
function movedProblem(schema: JsonSchema, value: unknown): ConfigProblem | null {
  const moved = schema['x-aigw-moved'] as Moved | undefined;
  if (!moved || value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const field = moved.fields.find((f) => f in v);
  const valued = Object.entries(moved.values ?? {}).find(([k, list]) => Array.isArray(v[k]) && (v[k] as unknown[]).some((x) => list.includes(String(x))));
  const at = field ?? valued?.[0];
  if (at === undefined) return null;
  return { severity: 'error', code: 'AIGW_MIGRATE', path: [at], at: 'key', message: moved.message };
}

/**
 * Validate one plugin config against `schemas/plugins/<name>.json`: types, ranges, unknown fields,
 * Kong's entity checks (on the default-filled config), regex fields and unsupported fields.
 * Returns null when aigw does not know the plugin.
 */
export function validatePluginConfig(name: string, config: unknown): ConfigProblem[] | null {
  const reg = schemas();
  const schema = reg.plugin(name);
  const validate = reg.pluginValidator(name);
  if (!schema || !validate) return null;
  const value = config === null || config === undefined ? {} : config;
  const moved = movedProblem(schema, value);
  if (moved) return [moved];
  const out: ConfigProblem[] = [];
  if (!validate(value)) {
    for (const p of mapAjvErrors(validate.errors ?? [])) out.push({ ...p, severity: 'error' });
  }
  for (const m of shorthandMismatches(schema, value)) out.push({ severity: 'error', code: 'AIGW_VALUE', path: [m.field], at: 'value', message: m.message });
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const filled = fillPluginDefaults(name, value);
    for (const f of runEntityChecks(schema, `plugins/${name}.json`, filled)) {
      out.push({ severity: 'error', code: 'AIGW_ENTITY_CHECK', path: f.path, at: 'key', message: f.message, ...(f.at ? { position: f.at } : {}) });
    }
    out.push(...regexProblems(name, value as Record<string, unknown>));
    out.push(...unsupportedProblems(schema, `plugins/${name}.json`, value, []));
    out.push(...vaultProblems(schema, `plugins/${name}.json`, value));
    out.push(...embeddedReferenceProblems(value));
    if (!out.some((p) => p.severity === 'error' || p.code === 'AIGW_UNSUPPORTED')) out.push(...buildProblems(name, schema, filled));
  }
  return out;
}

/**
 * Validate a partial's `config` against `schemas/partials/<type>.json`: types, ranges, unknown
 * fields, Kong's entity checks and unsupported fields. Null when the type is unknown (the entity
 * schema's `type` enum reports it).
 */
export function validatePartialConfig(type: string, config: unknown): ConfigProblem[] | null {
  const reg = schemas();
  const rel = `partials/${type}.json`;
  const schema = reg.partial(type);
  const validate = reg.validator(rel);
  if (!schema || !validate) return null;
  const value = config === null || config === undefined ? {} : config;
  const out: ConfigProblem[] = [];
  if (!validate(value)) for (const p of mapAjvErrors(validate.errors ?? [])) out.push({ ...p, severity: 'error' });
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const f of runEntityChecks(schema, rel, fillPartialDefaults(type, value))) {
      out.push({ severity: 'error', code: 'AIGW_ENTITY_CHECK', path: f.path, at: 'key', message: f.message, ...(f.at ? { position: f.at } : {}) });
    }
    out.push(...unsupportedProblems(schema, rel, value, []));
  }
  return out;
}
