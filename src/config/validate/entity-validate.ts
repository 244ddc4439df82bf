import type { ErrorCode } from '../../errors.js';
import { KIND_BY_NAME, type KindName } from '../kinds.js';
import { schemas } from '../schemas.js';
import { mapAjvErrors } from './schema-errors.js';
import { fillEntityDefaults } from '../defaults.js';
import { runEntityChecks } from './entity-checks.js';
import { validatePartialConfig, validatePluginConfig, vaultProblems } from './plugin-config.js';
import type { Issue } from '../issues.js';

/**
 * Validate one entity outside a state file (Admin API bodies, remote state): the entity schema,
 * Kong's entity checks on the filled entity, and for plugins the config schema. Issues carry a
 * JSON `path` and no file position.
 */
export function validateEntity(kind: KindName, entity: unknown): Issue[] {
  const reg = schemas();
  const def = KIND_BY_NAME[kind];
  const validate = reg.validator(def.schema);
  const out: Issue[] = [];
  const add = (code: ErrorCode, path: Array<string | number>, message: string, severity: Issue['severity'] = 'error') =>
    out.push({ severity, code, message, path });
  if (validate && !validate(entity)) for (const p of mapAjvErrors(validate.errors ?? [])) add(p.code, p.path, p.message);
  if (entity === null || typeof entity !== 'object' || Array.isArray(entity)) return out;
  const filled = fillEntityDefaults(kind, entity as Record<string, unknown>);
  for (const f of runEntityChecks(reg.entity(kind), def.schema, filled)) add('AIGW_ENTITY_CHECK', f.path, f.message);
  const { config: _config, ...own } = entity as Record<string, unknown>;
  for (const p of vaultProblems(reg.entity(kind), def.schema, own)) add(p.code, p.path, p.message);
  if (kind === 'plugins') {
    const name = (entity as Record<string, unknown>).name;
    if (typeof name === 'string') {
      const problems = validatePluginConfig(name, (entity as Record<string, unknown>).config);
      if (problems === null) add('AIGW_UNKNOWN_PLUGIN', ['name'], `plugin '${name}' not enabled; add it to the 'plugins' configuration property`);
      else for (const p of problems) add(p.code, ['config', ...p.path], p.message, p.severity);
    }
  }
  if (kind === 'partials') {
    const type = (entity as Record<string, unknown>).type;
    const problems = typeof type === 'string' ? validatePartialConfig(type, (entity as Record<string, unknown>).config) : null;
    for (const p of problems ?? []) add(p.code, ['config', ...p.path], p.message, p.severity);
  }
  return out;
}

export { validatePluginConfig } from './plugin-config.js';
export { fillEntityDefaults, fillPluginDefaults } from '../defaults.js';
