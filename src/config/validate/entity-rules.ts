import type { RawEntity } from '../collect.js';
import { compileKongRegex } from '../regex.js';
import { filterNameWarnings } from '../filter-chains.js';
import { extensionProblems, unsupportedProblems, validatePartialConfig, validatePluginConfig, vaultProblems, embeddedReferenceProblems } from './plugin-config.js';
import { runEntityChecks } from './entity-checks.js';
import { schemas } from '../schemas.js';
import type { Issue } from '../issues.js';
import type { Entity } from '../state.js';
import { applyPartials } from '../partials.js';
import { unknownPluginMessage } from './enterprise-plugins.js';
import { mapAjvErrors } from './schema-errors.js';
import { atExpressionOffset, pluginConditionProblem, routeExpressionProblem } from './expression-checks.js';

/**
 * Rules that need the normalised entity: route matchers and regex paths, plugin configs against
 * their schemas and Kong's entity checks, unknown plugins.
 */

/** A route's matcher problems: regex paths and header regexes that do not compile, paths not starting with `/` or `~/`, a `host` header. */
type RouteProblem = { path: Array<string | number>; at: 'value' | 'key'; code: 'AIGW_REGEX' | 'AIGW_VALUE'; message: string; offset?: number };

export function routeProblems(e: Readonly<Record<string, unknown>>): RouteProblem[] {
  const out: RouteProblem[] = [];
  if (Array.isArray(e.paths)) {
    e.paths.forEach((p, i) => {
      if (typeof p !== 'string') return;
      if (p.startsWith('~')) {
        const r = compileKongRegex(p.slice(1), { anchored: true });
        if ('error' in r) out.push({ path: ['paths', i], at: 'value', code: 'AIGW_REGEX', message: `invalid regex path '${p}': ${r.error}` });
      } else if (!p.startsWith('/')) {
        out.push({ path: ['paths', i], at: 'value', code: 'AIGW_VALUE', message: `should start with: / (fixed path) or ~/ (regex path)` });
      }
    });
  }
  const expr = routeExpressionProblem(e);
  if (expr !== null) out.push({ path: expr.path, message: expr.message, at: 'value', code: 'AIGW_VALUE', ...(expr.offset !== undefined ? { offset: expr.offset } : {}) });
  if (e.headers && typeof e.headers === 'object') {
    for (const [name, values] of Object.entries(e.headers as Record<string, unknown>)) {
      if (name.toLowerCase() === 'host') {
        out.push({ path: ['headers'], at: 'key', code: 'AIGW_VALUE', message: "cannot contain 'host' header, which must be specified in the 'hosts' attribute" });
        continue;
      }
      (Array.isArray(values) ? values : []).forEach((v, i) => {
        if (typeof v !== 'string' || !v.startsWith('~*')) return;
        const r = compileKongRegex(v.slice(2));
        if ('error' in r) out.push({ path: ['headers', name, i], at: 'value', code: 'AIGW_REGEX', message: `invalid regex '${v.slice(2)}': ${r.error}` });
      });
    }
  }
  return out;
}

function routeRules(e: Entity, raw: RawEntity, out: Issue[]): void {
  for (const p of routeProblems(e)) out.push(atExpressionOffset(raw.file.issueAt([...raw.path, ...p.path], p.at, 'error', p.code, p.message), String(e.expression), p.offset));
}

function pluginRules(e: Entity, raw: RawEntity, strict: boolean, out: Issue[], partials: ReadonlyMap<unknown, unknown>): void {
  const name = String(e.name);
  const cond = pluginConditionProblem(e);
  if (cond !== null) out.push(atExpressionOffset(raw.file.issueAt([...raw.path, ...cond.path], 'value', 'error', 'AIGW_VALUE', cond.message), String(e.condition), cond.offset));
  // validated as Kong does: with the linked partials' configs in place
  const config = Array.isArray(e.partials) ? applyPartials(raw.data.config, e.partials, (id) => partials.get(id)).config : raw.data.config;
  const problems = validatePluginConfig(name, config);
  if (problems === null) {
    out.push(raw.file.issueAt([...raw.path, 'name'], 'value', strict ? 'error' : 'warning', 'AIGW_UNKNOWN_PLUGIN', unknownPluginMessage(name)));
    return;
  }
  const hasConfig = raw.data.config !== undefined && raw.data.config !== null;
  const schema = schemas().plugin(name);
  const whole = schema?.['x-aigw-extension'];
  if (typeof whole === 'string') {
    out.push(raw.file.issueAt([...raw.path, 'name'], 'value', 'warning', 'AIGW_EXTENSION', `plugin '${name}' works under aigw serve only: ${whole}`));
  }
  const extensions = schema && hasConfig ? extensionProblems(schema, `plugins/${name}.json`, raw.data.config, []) : [];
  for (const p of [...problems, ...extensions]) {
    const path = hasConfig ? [...raw.path, 'config', ...(p.position ?? p.path)] : [...raw.path, 'name'];
    out.push(raw.file.issueAt(path, p.at, p.severity, p.code, p.message));
  }
}

function partialRules(e: Entity, raw: RawEntity, out: Issue[]): void {
  const problems = typeof e.type === 'string' ? validatePartialConfig(e.type, raw.data.config) : null;
  for (const p of problems ?? []) out.push(raw.file.issueAt([...raw.path, 'config', ...(p.position ?? p.path)], p.at, p.severity, p.code, p.message));
}

/**
 * A consumer-group policy override as written (Kong EE's consumer_group_plugins schema: name and
 * config only; the whole file's schema read the item as a plugin). Kong serves overrides of
 * rate-limiting-advanced only (`/consumer_groups/{g}/overrides/plugins/rate-limiting-advanced`).
 */
function overrideRules(raw: RawEntity, out: Issue[]): void {
  const validate = schemas().validator(raw.kind.schema);
  const name = raw.data.name;
  if (typeof name === 'string' && name !== 'rate-limiting-advanced') {
    out.push(raw.file.issueAt([...raw.path, 'name'], 'value', 'error', 'AIGW_VALUE', `consumer group policy overrides exist for rate-limiting-advanced only, not '${name}' `
      + '(Kong: /consumer_groups/{group}/overrides/plugins/rate-limiting-advanced); without _info.consumer_group_policy_overrides, consumer_groups[].plugins are scoped plugins'));
  }
  if (!validate || validate(raw.data)) return;
  for (const p of mapAjvErrors(validate.errors ?? [])) {
    if (p.path.length === 1 && p.path[0] === 'name' && p.code === 'AIGW_VALUE') continue;
    out.push(raw.file.issueAt([...raw.path, ...p.path], p.at, 'error', p.code, p.message));
  }
}

/**
 * Kong's entity checks declared in the entity schema (`x-entity-checks`), on the filled entity, and
 * warnings for fields `aigw serve` accepts but cannot honour (plugin configs are checked apart).
 */
function schemaChecks(e: Entity, raw: RawEntity, out: Issue[]): void {
  const schema = schemas().entity(raw.kind.name);
  const failed = new Set<string>();
  for (const f of runEntityChecks(schema, raw.kind.schema, e)) {
    out.push(raw.file.issueAt([...raw.path, ...(f.at ?? f.path)], 'key', 'error', 'AIGW_ENTITY_CHECK', f.message));
    failed.add(JSON.stringify(f.at ?? f.path));
  }
  const { config: _config, ...own } = raw.data;
  // a field Kong itself rejects here gets its error, not also a warning about aigw serve
  const unsupported = unsupportedProblems(schema, raw.kind.schema, own, []).filter((p) => !failed.has(JSON.stringify(p.path)));
  const found = [...unsupported, ...extensionProblems(schema, raw.kind.schema, own, []), ...vaultProblems(schema, raw.kind.schema, own), ...embeddedReferenceProblems(own)];
  for (const p of found) {
    out.push(raw.file.issueAt([...raw.path, ...p.path], p.at, p.severity, p.code, p.message));
  }
}

export function entityRules(origins: ReadonlyMap<Entity, RawEntity>, opts: { strict: boolean }): Issue[] {
  const out: Issue[] = [];
  const partials = new Map([...origins].filter(([, raw]) => raw.kind.name === 'partials').map(([e, raw]) => [e.id as unknown, raw.data.config]));
  for (const [e, raw] of origins) {
    schemaChecks(e, raw, out);
    if (raw.kind.name === 'routes') routeRules(e, raw, out);
    else if (raw.kind.name === 'plugins') pluginRules(e, raw, opts.strict, out, partials);
    else if (raw.kind.name === 'partials') partialRules(e, raw, out);
    else if (raw.kind.policyOverride === true) overrideRules(raw, out);
    else if (raw.kind.name === 'filter_chains') {
      for (const w of filterNameWarnings(raw.data)) out.push(raw.file.issueAt([...raw.path, ...w.path], 'value', 'warning', 'AIGW_UNSUPPORTED', w.message));
    }
    else if (raw.kind.name === 'mtls_auth_credentials' && typeof raw.data.id !== 'string') {
      // no unique field but the id: decK cannot match it on the gateway without one (GDR builder.go ingestMTLSAuths)
      out.push(raw.file.issueAt(raw.path, 'key', 'error', 'AIGW_REQUIRED',
        `mtls-auth with subject_name '${String(raw.data.subject_name)}' lacks an id: give it one (an mtls-auth credential has no other unique field to match it on the gateway)`));
    }
  }
  return out;
}
