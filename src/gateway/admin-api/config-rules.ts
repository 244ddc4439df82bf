/**
 * EntityRules backed by src/config: the same JSON Schemas, defaults and plugin checks the state
 * file goes through, so an entity written through the Admin API ends up exactly as the same
 * entity loaded from a file (and `aigw diff` against `aigw serve` is quiet by construction).
 */
import { KIND_BY_NAME, type KindName } from '../../config/kinds.js';
import { configThread } from '../../config/thread/off-thread.js';
import { fillEntityDefaults } from '../../config/defaults.js';
import { expandServiceUrl } from '../../config/normalize.js';
import { mapAjvErrors, routeProblems, runEntityChecks, validatePartialConfig, validatePluginConfig, vaultProblems } from '../../config/validate/index.js';
import { schemas } from '../../config/schemas.js';
import { formatIssue } from '../../config/issues.js';
import { writeState } from '../../config/write.js';
import type { EntityRules, RuleIssue } from './rules.js';
import { INSTALLED_VAULTS } from '../vault.js';
import { pluginConditionProblem } from '../../config/validate/expression-checks.js';

/** Without nulls, server-managed fields and (for memberships) anything the file form lacks. */
function forValidation(kind: KindName, e: Record<string, unknown>): Record<string, unknown> {
  const def = KIND_BY_NAME[kind];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v !== null && v !== undefined && !def.ignore.includes(k)) out[k] = v;
  return out;
}

function fill(kind: KindName, e: Record<string, unknown>): Record<string, unknown> {
  if (KIND_BY_NAME[kind].membership !== undefined) return e;
  return fillEntityDefaults(kind, kind === 'services' ? expandServiceUrl(e) : e);
}

function validate(kind: KindName, e: Record<string, unknown>): RuleIssue[] {
  const def = KIND_BY_NAME[kind];
  if (def.membership !== undefined) return [];
  const reg = schemas();
  const validator = reg.validator(def.schema);
  const out: RuleIssue[] = [];
  const value = forValidation(kind, e);
  if (validator !== undefined && !validator(value)) {
    for (const p of mapAjvErrors(validator.errors ?? [])) out.push({ message: p.message, path: p.path });
  }
  for (const f of runEntityChecks(reg.entity(kind), def.schema, e)) out.push({ message: f.message, path: f.path });
  const { config: _config, ...own } = e;
  for (const p of vaultProblems(reg.entity(kind), def.schema, own)) out.push({ message: p.message, path: p.path });
  if (kind === 'routes') for (const p of routeProblems(e)) out.push({ message: p.message, path: p.path });
  if (kind === 'partials' && typeof e.type === 'string') {
    for (const p of validatePartialConfig(e.type, e.config) ?? []) if (p.severity === 'error') out.push({ message: p.message, path: ['config', ...p.path] });
  }
  // aigw serve is a Kong with only its installed vault backends (Kong Enterprise's pass validate with a warning)
  if (kind === 'vaults' && typeof e.name === 'string' && !INSTALLED_VAULTS.includes(e.name) && !out.some((i) => i.path?.[0] === 'name')) {
    out.push({ message: `vault '${e.name}' is not installed`, path: ['name'] });
  }
  const cond = kind === 'plugins' ? pluginConditionProblem(e) : null;
  if (cond !== null) out.push(cond);
  if (kind === 'plugins' && typeof e.name === 'string' && 'config' in e) {
    const problems = validatePluginConfig(e.name, e.config);
    if (problems === null) out.push({ message: `plugin '${e.name}' not enabled; add it to the 'plugins' configuration property`, path: ['name'] });
    else for (const p of problems) if (p.severity === 'error') out.push({ message: p.message, path: ['config', ...p.path] });
  }
  return out;
}

/** The rules `aigw serve` uses. `env` is the environment for `POST /config` templates. */
export function configRules(env: Readonly<Record<string, string | undefined>> = {}): EntityRules {
  return {
    fill,
    validate,
    entitySchema: (kind) => schemas().entity(kind),
    pluginSchema: (name) => schemas().plugin(name),
    knownPlugins: () => schemas().knownPlugins(),
    loadConfig: async (text, opts) => {
      // parsed (a JSON body too) and validated in a worker thread: a big POST /config never stalls the proxy
      const r = await configThread.text(text, { env, name: '<config>', json: opts?.json === true });
      const errors = r.issues.filter((i) => i.severity === 'error').map((i) => formatIssue(i));
      return { state: r.state, errors };
    },
    renderConfig: (state) => writeState(state, { format: 'yaml', withId: true, mask: { show: true } }),
  };
}
