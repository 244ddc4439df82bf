import type { Obj, RawEntity } from '../collect.js';
import { expandServiceUrl } from '../normalize.js';
import type { SourceFile } from '../source.js';
import { httpToStreamWhy, isStreamOnlyPlugin, isStreamRoute, isStreamService, streamPluginWhy, streamRouteWhy, streamServiceWhy } from '../stream.js';
import { isIP } from 'node:net';
import { compileKongRegex } from '../regex.js';
import { validIpOrCidr } from './custom-checks.js';
import { filterNameWarnings } from '../filter-chains.js';
import { type ConfigProblem, extensionProblems, unsupportedProblems, validatePartialConfig, validatePluginConfig, vaultProblems, embeddedReferenceProblems } from './plugin-config.js';
import { runEntityChecks } from './entity-checks.js';
import { schemas } from '../schemas.js';
import type { Issue } from '../issues.js';
import { refId, type Entity } from '../state.js';
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
  out.push(...streamMatcherProblems(e));
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

/**
 * Kong's typedefs for the stream matchers: `snis` elements are names (typedefs.sni: not an IP, no
 * port), `sources` / `destinations` elements records of an `ip` (ip_or_cidr) and/or a `port`.
 */
function streamMatcherProblems(e: Readonly<Record<string, unknown>>): RouteProblem[] {
  const out: RouteProblem[] = [];
  if (Array.isArray(e.snis)) {
    e.snis.forEach((sni, i) => {
      if (typeof sni !== 'string') return;
      const bare = sni.startsWith('[') && sni.endsWith(']') ? sni.slice(1, -1) : sni;
      if (isIP(bare) !== 0) out.push({ path: ['snis', i], at: 'value', code: 'AIGW_VALUE', message: 'must not be an IP' });
      else if (/:[^:]*$/.test(sni) && !sni.includes('::')) out.push({ path: ['snis', i], at: 'value', code: 'AIGW_VALUE', message: 'must not have a port' });
    });
  }
  for (const field of ['sources', 'destinations'] as const) {
    const list = e[field];
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (item === null || typeof item !== 'object') return;
      const { ip, port } = item as { ip?: unknown; port?: unknown };
      if ((ip === undefined || ip === null || ip === '') && (port === undefined || port === null)) {
        out.push({ path: [field, i], at: 'key', code: 'AIGW_VALUE', message: "at least one of these fields must be non-empty: 'ip', 'port'" });
      } else if (typeof ip === 'string' && !validIpOrCidr(ip)) {
        out.push({ path: [field, i, 'ip'], at: 'value', code: 'AIGW_VALUE', message: `invalid ip or cidr range: '${ip}'` });
      }
    });
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

/** `_info.defaults` (merged over the files) and where each default field is written. */
export interface InfoDefaults {
  defaults: Partial<Record<'service' | 'route' | 'upstream' | 'target', Obj>>;
  /** The file that writes `_info.defaults.<kind>.<field>`. */
  fileOf(kind: string, field: string): SourceFile | undefined;
}

/** A marked field some entities take from `_info.defaults`: reported once, at the default. */
interface InheritedMark {
  kind: 'service' | 'route' | 'upstream' | 'target';
  path: Array<string | number>;
  problem: ConfigProblem;
  entities: string[];
}

const nameOf = (kind: RawEntity['kind'], e: Readonly<Record<string, unknown>>): string =>
  `${kind.singular} '${String(e.name ?? e.username ?? e.target ?? e.id)}'`;

/**
 * Kong's entity checks declared in the entity schema (`x-entity-checks`), on the filled entity, and
 * warnings for fields `aigw serve` accepts but cannot honour (plugin configs are checked apart): the
 * fields as the entity is served, its own and those it takes from `_info.defaults` (those are
 * collected in `inherited`, to be reported at the default).
 */
function schemaChecks(e: Entity, raw: RawEntity, out: Issue[], info: InfoDefaults | undefined, inherited: Map<string, InheritedMark>): void {
  const schema = schemas().entity(raw.kind.name);
  const failed = new Set<string>();
  for (const f of runEntityChecks(schema, raw.kind.schema, e)) {
    out.push(raw.file.issueAt([...raw.path, ...(f.at ?? f.path)], 'key', 'error', 'AIGW_ENTITY_CHECK', f.message));
    failed.add(JSON.stringify(f.at ?? f.path));
  }
  const { config: _config, ...own } = raw.data;
  const defaultsKind = raw.kind.infoDefaults;
  const d = defaultsKind !== undefined ? info?.defaults[defaultsKind] : undefined;
  const written = raw.kind.name === 'services' && typeof own.url === 'string' ? expandServiceUrl(own) : own;
  const taken = d === undefined ? [] : Object.keys(d).filter((k) => written[k] === undefined);
  const served = taken.length === 0 ? own : { ...written, ...Object.fromEntries(taken.map((k) => [k, d![k]])) };
  // a stream route matches no HTTP request: aigw serve leaves it out whole (stream.ts), so its stream matchers are not refused
  const streamRoute = raw.kind.name === 'routes' && isStreamRoute(e);
  // a field Kong itself rejects here gets its error, not also a warning about aigw serve
  const unsupported = streamRoute ? [] : unsupportedProblems(schema, raw.kind.schema, served, []).filter((p) => !failed.has(JSON.stringify(p.path)));
  const found = [...unsupported, ...extensionProblems(schema, raw.kind.schema, served, []), ...vaultProblems(schema, raw.kind.schema, served), ...embeddedReferenceProblems(served)];
  for (const p of found) {
    const top = String(p.path[0]);
    if (defaultsKind !== undefined && taken.includes(top)) {
      const key = `${defaultsKind}\0${JSON.stringify(p.path)}\0${p.code}\0${p.message}`;
      const mark = inherited.get(key) ?? { kind: defaultsKind, path: p.path, problem: p, entities: [] };
      mark.entities.push(nameOf(raw.kind, e));
      inherited.set(key, mark);
      continue;
    }
    out.push(raw.file.issueAt([...raw.path, ...p.path], p.at, p.severity, p.code, p.message));
  }
}

/** What aigw serve does with stream routes, services and plugins (stream.ts), and HTTP routes sent to a stream service. */
function streamRules(e: Entity, raw: RawEntity, services: ReadonlyMap<string, Entity>, out: Issue[]): void {
  const at = (sub: Array<string | number>, code: 'AIGW_STREAM' | 'AIGW_UNSUPPORTED', message: string): void => {
    out.push(raw.file.issueAt([...raw.path, ...sub], 'key', 'warning', code, message));
  };
  if (raw.kind.name === 'routes') {
    if (isStreamRoute(e)) {
      at(['protocols'], 'AIGW_STREAM', `${nameOf(raw.kind, e)} is ${streamRouteWhy(e)}`);
      return;
    }
    const sid = e.service !== null && typeof e.service === 'object' ? (e.service as { id?: unknown }).id : undefined;
    const service = typeof sid === 'string' ? services.get(sid) : undefined;
    if (service !== undefined && isStreamService(service)) {
      at(['service'], 'AIGW_UNSUPPORTED', `aigw serve refuses this route: ${httpToStreamWhy(service, `'${String(service.name ?? service.id)}'`)}`);
    }
  } else if (raw.kind.name === 'services' && isStreamService(e)) {
    at(['protocol'], 'AIGW_STREAM', `${nameOf(raw.kind, e)}: ${streamServiceWhy(e)}`);
  } else if (raw.kind.name === 'plugins' && isStreamOnlyPlugin(e)) {
    at(['protocols'], 'AIGW_STREAM', `plugin '${String(e.name)}': ${streamPluginWhy(e)}`);
  }
}

/** Two `protocols` lists share a protocol (Kong's plugin/route check, here and in the Admin API's writes). */
export const shareProtocol = (a: unknown, b: unknown): boolean => Array.isArray(a) && Array.isArray(b) && a.some((p) => b.includes(p));

export const ROUTE_PROTOCOLS_MESSAGE = "must match the associated route's protocols";
export const SERVICE_PROTOCOLS_MESSAGE = "must match the protocols of at least one route pointing to this Plugin's service";

/**
 * Kong's check on a plugin scoped to a route or service (kong/db/dao/plugins.lua, on every Admin
 * API write, so decK's sync meets it): its protocols share one with the route's, or with one of the
 * service's routes (a service without routes passes).
 */
function pluginProtocolRules(e: Entity, raw: RawEntity, routes: ReadonlyMap<string, Entity>, routesOf: ReadonlyMap<string, readonly Entity[]>, out: Issue[]): void {
  const at = raw.data.protocols !== undefined ? [...raw.path, 'protocols'] : [...raw.path, 'name'];
  const route = routes.get(refId(e.route) ?? '');
  if (route !== undefined) {
    if (!shareProtocol(e.protocols, route.protocols)) out.push(raw.file.issueAt(at, 'key', 'error', 'AIGW_ENTITY_CHECK', ROUTE_PROTOCOLS_MESSAGE));
    return;
  }
  const sid = refId(e.service);
  if (sid === null) return;
  const ofService = routesOf.get(sid) ?? [];
  if (ofService.length > 0 && !ofService.some((r) => shareProtocol(e.protocols, r.protocols))) {
    out.push(raw.file.issueAt(at, 'key', 'error', 'AIGW_ENTITY_CHECK', SERVICE_PROTOCOLS_MESSAGE));
  }
}

/** One warning per marked default that some entities take, at `_info.defaults.<kind>.<field>`, naming them. */
function inheritedIssues(inherited: ReadonlyMap<string, InheritedMark>, info: InfoDefaults | undefined): Issue[] {
  const out: Issue[] = [];
  for (const m of inherited.values()) {
    const field = String(m.path[0]);
    const file = info?.fileOf(m.kind, field);
    const shown = m.entities.length <= 3 ? m.entities.join(', ') : `${m.entities.slice(0, 3).join(', ')} and ${m.entities.length - 3} more`;
    const message = `${m.problem.message} (_info.defaults.${m.kind}.${field}, taken by ${shown})`;
    const path = ['_info', 'defaults', m.kind, ...m.path];
    out.push(file !== undefined ? file.issueAt(path, m.problem.at, m.problem.severity, m.problem.code, message) : { severity: m.problem.severity, code: m.problem.code, message, path });
  }
  return out;
}

export function entityRules(origins: ReadonlyMap<Entity, RawEntity>, opts: { strict: boolean; info?: InfoDefaults }): Issue[] {
  const out: Issue[] = [];
  const partials = new Map([...origins].filter(([, raw]) => raw.kind.name === 'partials').map(([e, raw]) => [e.id as unknown, raw.data.config]));
  const ofKind = (kind: string): Map<string, Entity> => new Map([...origins.keys()].filter((e) => origins.get(e)!.kind.name === kind).map((e) => [e.id, e]));
  const services = ofKind('services');
  const routes = ofKind('routes');
  // the routes of each service, for the plugins scoped to a service (indexed once, not per plugin)
  const routesOf = new Map<string, Entity[]>();
  for (const r of routes.values()) {
    const sid = refId(r.service);
    if (sid === null) continue;
    const list = routesOf.get(sid);
    if (list === undefined) routesOf.set(sid, [r]);
    else list.push(r);
  }
  const inherited = new Map<string, InheritedMark>();
  for (const [e, raw] of origins) {
    schemaChecks(e, raw, out, opts.info, inherited);
    streamRules(e, raw, services, out);
    if (raw.kind.name === 'routes') routeRules(e, raw, out);
    else if (raw.kind.name === 'plugins') {
      pluginRules(e, raw, opts.strict, out, partials);
      pluginProtocolRules(e, raw, routes, routesOf, out);
    }
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
  out.push(...inheritedIssues(inherited, opts.info));
  return out;
}
