import { KINDS, type KindName } from './kinds.js';
import { byKind, isObj, type Obj, type RawEntity } from './collect.js';
import { Identities } from './identity.js';
import { linkPartials } from './partial-links.js';
import { fillEntityDefaults } from './defaults.js';
import { emptyEntities, freezeState, type Entity, type State } from './state.js';
import type { Issue } from './issues.js';
import type { JsonPath, SourceFile } from './source.js';
import { consumerGroupUpgradeIssues, LOOKUP_KINDS, type ApplyTarget, type GatewayEntities, type GatewayScope, type LookupTags } from './gateway-refs.js';

/**
 * File form → State: ids resolved, names → foreign keys `{id}`, service `url` split, and defaults
 * filled with the precedence file value > `_info.defaults` > schema default.
 */

export interface Meta {
  workspace: string | null;
  selectTags: string[];
  /** `_info.defaults` per entity (service, route, upstream, target). */
  defaults: Partial<Record<'service' | 'route' | 'upstream' | 'target', Obj>>;
  /** `_info.default_lookup_tags`: references to entities owned by other files, found on the gateway. */
  lookupTags: LookupTags;
  /** `_info.skip_hash_for_basic_auth`: basic-auth passwords are written as the gateway stores them. */
  skipHashForBasicAuth: boolean;
  /** `_info.consumer_group_policy_overrides` (decK). */
  consumerGroupPolicyOverrides: boolean;
}

export interface NormalizeResult {
  state: State;
  issues: Issue[];
  /** Wire entity → the raw entity it came from (positions for later checks). */
  origins: Map<Entity, RawEntity>;
  sources: EntitySources;
}

/** Where an entity came from, and what its file says about it (targets' own defaults fill the rest). */
export interface EntitySources {
  /** The file and the JSON path of the entity's object in it. */
  locate(kind: KindName, id: string): { file: SourceFile; path: JsonPath; refs: RawEntity['refs']; data: Obj } | undefined;
  /** Own fields as the file sets them (no schema defaults), with `id` and foreign keys as `{id}`. */
  written(kind: KindName, id: string): Obj | undefined;
}

function entitySources(origins: ReadonlyMap<Entity, RawEntity>, meta: Meta): EntitySources {
  const byKey = new Map<string, { raw: RawEntity; entity: Entity }>();
  for (const [entity, raw] of origins) byKey.set(`${raw.kind.name}\0${entity.id}`, { raw, entity });
  return {
    locate: (kind, id) => {
      const hit = byKey.get(`${kind}\0${id}`);
      return hit === undefined ? undefined : { file: hit.raw.file, path: hit.raw.path, refs: hit.raw.refs, data: hit.raw.data };
    },
    written: (kind, id) => {
      const hit = byKey.get(`${kind}\0${id}`);
      if (hit === undefined) return undefined;
      const own = wireOwnFields(hit.raw, meta);
      for (const fk of hit.raw.kind.foreignKeys) own[fk.field] = hit.entity[fk.field] ?? null;
      own.id = hit.entity.id;
      return own;
    },
  };
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, grpc: 80, grpcs: 443, ws: 80, wss: 443 };

/** Split a service `url` into protocol, host, port and path as Kong does. */
export function splitServiceUrl(url: string): { protocol: string; host: string; port: number | null; path: string | null } | null {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?(\/[^?#]*)?/i.exec(url.trim());
  if (!m) return null;
  const protocol = m[1].toLowerCase();
  const port = m[3] !== undefined ? Number(m[3]) : (DEFAULT_PORTS[protocol] ?? null);
  return { protocol, host: m[2], port, path: m[4] ?? null };
}

/** A service with its `url` shorthand replaced by protocol, host, port and path, as Kong does (the url sets all four). */
export function expandServiceUrl(service: Obj): Obj {
  if (typeof service.url !== 'string') return service;
  const own: Obj = { ...service };
  const parts = splitServiceUrl(service.url);
  delete own.url;
  if (parts) {
    own.protocol = parts.protocol;
    own.host = parts.host;
    if (parts.port !== null) own.port = parts.port;
    own.path = parts.path;
  }
  return own;
}

/** The fields a file gives an entity (url expanded, `_info.defaults` and select tags applied), before schema defaults. */
export function wireOwnFields(raw: RawEntity, meta: Meta): Obj {
  // a copy: the file's own fields (raw.data) stay as written, for validate's per-field checks
  const own: Obj = raw.kind.name === 'services' && typeof raw.data.url === 'string' ? expandServiceUrl(raw.data) : { ...raw.data };
  const d = raw.kind.infoDefaults ? meta.defaults[raw.kind.infoDefaults] : undefined;
  if (d) for (const [k, v] of Object.entries(d)) if (own[k] === undefined) own[k] = v;
  if (meta.selectTags.length > 0 && raw.kind.membership === undefined) {
    const tags = Array.isArray(own.tags) ? own.tags.filter((t): t is string => typeof t === 'string') : [];
    own.tags = [...new Set([...tags, ...meta.selectTags])];
  }
  return own;
}

function buildEntity(raw: RawEntity, fks: Record<string, string | null>, meta: Meta): Entity {
  const own = wireOwnFields(raw, meta);
  for (const fk of raw.kind.foreignKeys) own[fk.field] = fks[fk.field] ? { id: fks[fk.field] } : null;
  const filled = fillEntityDefaults(raw.kind.name, own);
  filled.id = raw.id;
  return filled as Entity;
}

export function normalize(raws: readonly RawEntity[], meta: Meta, gateway?: GatewayEntities, apply?: ApplyTarget): NormalizeResult {
  const scope: GatewayScope = { lookupTags: meta.lookupTags, found: gateway, apply };
  const ids = new Identities(scope);
  const grouped = byKind(raws);
  const entities = emptyEntities();
  const origins = new Map<Entity, RawEntity>();
  const order = [...KINDS].sort((a, b) => a.level - b.level);
  for (const kind of order) {
    for (const raw of grouped.get(kind.name) ?? []) {
      const fks: Record<string, string | null> = {};
      let broken = false;
      for (const fk of kind.foreignKeys) {
        const ref = raw.refs[fk.field];
        if (ref === undefined) {
          fks[fk.field] = null;
          continue;
        }
        const id = ids.resolve(raw, fk.field, ref, fk.kind);
        fks[fk.field] = id;
        if (id === null) broken = true;
      }
      ids.register(raw, fks);
      if (broken && kind.foreignKeys.some((f) => f.required && fks[f.field] === null)) continue;
      const entity = buildEntity(raw, fks, meta);
      entities[kind.name as KindName].push(entity);
      origins.set(entity, raw);
    }
  }
  const plugins = entities.plugins.flatMap((p) => { const raw = origins.get(p); return raw ? [{ raw, config: p.config }] : []; });
  const issues = [...ids.issues, ...linkPartials(entities, origins, scope), ...consumerGroupUpgradeIssues(plugins, meta.consumerGroupPolicyOverrides)];
  const state = freezeState({ workspace: meta.workspace, selectTags: meta.selectTags, entities });
  return { state, issues, origins, sources: entitySources(origins, meta) };
}

/** Read `_workspace` / `_info` from each file's content. */
export function readMeta(contents: ReadonlyArray<Obj>): { meta: Meta; conflicts: string[] } {
  const meta: Meta = { workspace: null, selectTags: [], defaults: {}, lookupTags: {}, skipHashForBasicAuth: false, consumerGroupPolicyOverrides: false };
  const conflicts: string[] = [];
  for (const c of contents) {
    if (typeof c._workspace === 'string') {
      if (meta.workspace !== null && meta.workspace !== c._workspace) conflicts.push(`_workspace: '${meta.workspace}' and '${c._workspace}'`);
      meta.workspace ??= c._workspace;
    }
    const info = isObj(c._info) ? c._info : null;
    if (info && Array.isArray(info.select_tags)) {
      const tags = info.select_tags.filter((t): t is string => typeof t === 'string');
      if (meta.selectTags.length > 0 && tags.join(',') !== meta.selectTags.join(',')) conflicts.push(`_info.select_tags: [${meta.selectTags.join(', ')}] and [${tags.join(', ')}]`);
      if (meta.selectTags.length === 0) meta.selectTags = tags;
    }
    if (info && info.skip_hash_for_basic_auth === true) meta.skipHashForBasicAuth = true;
    if (info && info.consumer_group_policy_overrides === true) meta.consumerGroupPolicyOverrides = true;
    if (info && isObj(info.default_lookup_tags)) {
      const lookup = info.default_lookup_tags;
      for (const k of LOOKUP_KINDS) {
        const tags = Array.isArray(lookup[k]) ? lookup[k].filter((t): t is string => typeof t === 'string') : [];
        if (tags.length > 0) meta.lookupTags[k] = [...new Set([...(meta.lookupTags[k] ?? []), ...tags])];
      }
    }
    if (info && isObj(info.defaults)) {
      for (const k of ['service', 'route', 'upstream', 'target'] as const) {
        const d = info.defaults[k];
        if (isObj(d)) meta.defaults[k] = { ...(meta.defaults[k] ?? {}), ...d };
      }
    }
  }
  return { meta, conflicts };
}
