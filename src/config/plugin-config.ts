import { schemas, type JsonSchema } from './schemas.js';
import { fillPluginDefaults, isRecordSchema, resolveSchema } from './defaults.js';
import { runEntityChecks } from './checks.js';
import { mapAjvErrors, type SchemaProblem } from './schema-errors.js';
import { compileKongRegex } from './regex.js';
import type { Severity } from './issues.js';

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

function regexProblems(name: string, config: Record<string, unknown>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const field of REGEX_FIELDS[name] ?? []) {
    const v = config[field];
    const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
    list.forEach((pattern, i) => {
      if (typeof pattern !== 'string') return;
      const r = compileKongRegex(pattern);
      if ('error' in r) {
        out.push({ severity: 'error', code: 'AIGW_REGEX', path: Array.isArray(v) ? [field, i] : [field], at: 'value', message: `invalid regex '${pattern}': ${r.error}` });
      }
    });
  }
  return out;
}

/** Warn about fields aigw accepts but cannot honour (`x-aigw-unsupported*` in the schema). */
export function unsupportedProblems(schema: JsonSchema, rel: string, raw: unknown, base: Array<string | number>): ConfigProblem[] {
  const { schema: s, relPath } = resolveSchema(schema, rel);
  if (!isRecordSchema(s) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const out: ConfigProblem[] = [];
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const v = (raw as Record<string, unknown>)[key];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    const p = resolveSchema(prop, relPath).schema;
    const reason = prop['x-aigw-unsupported'] ?? p['x-aigw-unsupported'];
    const isDefault = JSON.stringify(v) === JSON.stringify(p.default ?? prop.default);
    if (reason && !isDefault) {
      out.push({ severity: 'warning', code: 'AIGW_UNSUPPORTED', path: [...base, key], at: 'key', message: `'${key}' is accepted for Kong compatibility but aigw serve ignores it: ${reason}` });
    }
    const values = prop['x-aigw-unsupported-values'] ?? p['x-aigw-unsupported-values'];
    if (values && typeof v === 'string' && values[v]) {
      out.push({ severity: 'warning', code: 'AIGW_UNSUPPORTED', path: [...base, key], at: 'value', message: `${key} '${v}' is accepted for Kong compatibility but not supported by aigw serve: ${values[v]}` });
    }
    if (typeof v === 'object') out.push(...unsupportedProblems(prop, relPath, v, [...base, key]));
  }
  return out;
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
  const out: ConfigProblem[] = [];
  if (!validate(value)) {
    for (const p of mapAjvErrors(validate.errors ?? [])) out.push({ ...p, severity: 'error' });
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const filled = fillPluginDefaults(name, value);
    for (const f of runEntityChecks(schema, `plugins/${name}.json`, filled)) {
      out.push({ severity: 'error', code: 'AIGW_ENTITY_CHECK', path: f.path, at: f.path.length ? 'key' : 'key', message: f.message });
    }
    out.push(...regexProblems(name, value as Record<string, unknown>));
    out.push(...unsupportedProblems(schema, `plugins/${name}.json`, value, []));
  }
  return out;
}
