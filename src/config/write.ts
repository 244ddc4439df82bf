/**
 * State → nested state file (`_format_version: "3.0"`), deterministic: entities sorted by their
 * natural key then id, object keys sorted, timestamps and nulls dropped (not those Kong keeps over a default), ids dropped where a
 * natural key identifies the entity (unless `withId`). Children nest under their only parent
 * (`services[].routes[].plugins[]`, `consumers[].keyauth_credentials[]`, `consumers[].groups[]`);
 * entities with several parents (a plugin on a service and a route) stay top-level and name them.
 * Loading the output gives back the same State (ids aside, which natural keys re-derive).
 */
import { stringify } from 'yaml';
import { KINDS, KIND_BY_NAME, type KindDef } from './kinds.js';
import { refId, type Entity, type State } from './state.js';
import { maskEntity, type MaskOptions } from '../diff/secrets.js';
import { fillEntityDefaults } from './defaults.js';

export interface WriteOptions {
  format?: 'yaml' | 'json';
  withId?: boolean;
  /** Secrets are redacted unless `mask.show`. */
  mask?: MaskOptions;
  /** A `_konnect` block to write (dump from a Konnect control plane). */
  konnect?: { control_plane_name: string };
  /** Write `_info.consumer_group_policy_overrides: true` (decK's dump flag); written anyway when the State has overrides. */
  policyOverrides?: boolean;
}

type Obj = Record<string, unknown>;

function present(v: unknown): boolean {
  return v !== null && v !== undefined && v !== '';
}

function label(kind: KindDef, e: Entity): string {
  const f = kind.naturalKey.find((k) => present(e[k]));
  return f === undefined ? e.id : String(e[f]);
}

/** How other entities name this one: its refField / natural key, else its id. */
function refName(kind: KindDef, e: Entity | undefined, id: string): string {
  if (e === undefined) return id;
  const f = kind.refField !== undefined && present(e[kind.refField]) ? kind.refField : kind.naturalKey.find((k) => k !== 'id' && present(e[k]));
  return f === undefined ? id : String(e[f]);
}

/**
 * Sorted keys, nulls dropped — except a null where the schema's default is not null (`defaults`:
 * the entity filled from its null-less self): dropped, the field would load as its default
 * (Kong keeps an explicit null, e.g. rate-limiting-advanced `redis.host: null`), and the dump would
 * not load back as what it was read from.
 */
function clean(value: unknown, defaults?: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => clean(v));
  if (value !== null && typeof value === 'object') {
    const out: Obj = {};
    const d = defaults !== null && typeof defaults === 'object' && !Array.isArray(defaults) ? (defaults as Obj) : undefined;
    for (const key of Object.keys(value).sort()) {
      const v = (value as Obj)[key];
      if (v === null || v === undefined) {
        if (v === null && d !== undefined && d[key] !== null && d[key] !== undefined) out[key] = null;
        continue;
      }
      out[key] = clean(v, d?.[key]);
    }
    return out;
  }
  return value;
}

/** Whether a value holds a null anywhere (only then are the entity's defaults needed). */
function hasNull(v: unknown): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.some(hasNull);
  if (typeof v === 'object' && v !== undefined) return Object.values(v as Obj).some(hasNull);
  return false;
}

interface Placement {
  /** Parent entity id and the key to nest under, or null for top level. */
  parent: { id: string; key: string } | null;
}

/**
 * With policy overrides, `consumer_groups[].plugins` holds overrides (decK's
 * `consumer_group_policy_overrides`): a plugin scoped to a group then names it at the top level.
 */
function place(kind: KindDef, e: Entity, exists: (id: string) => boolean, overrides: boolean): Placement {
  const set = kind.foreignKeys.filter((f) => refId(e[f.field]) !== null);
  const nestable = set.filter((f) => kind.nestedUnder[f.kind] !== undefined && exists(refId(e[f.field])!)
    && !(overrides && f.kind === 'consumer_groups' && kind.policyOverride !== true));
  if (kind.membership !== undefined) {
    const member = nestable.find((f) => f.field === kind.membership!.member);
    if (member !== undefined) return { parent: { id: refId(e[member.field])!, key: kind.nestedUnder[member.kind]! } };
  } else if (nestable.length === 1 && (set.length === 1 || !kind.topLevel)) {
    return { parent: { id: refId(e[nestable[0].field])!, key: kind.nestedUnder[nestable[0].kind]! } };
  }
  return { parent: null };
}

/** The nested file content of a State. */
export function toContent(state: State, options: WriteOptions = {}): Obj {
  const byId = new Map<string, { kind: KindDef; e: Entity }>();
  for (const k of KINDS) for (const e of state.entities[k.name]) byId.set(e.id, { kind: k, e });
  const overrides = KINDS.some((k) => k.policyOverride === true && state.entities[k.name].length > 0);
  const nodes = new Map<string, Obj>();
  const children = new Map<string, Map<string, Array<{ sort: string; node: Obj }>>>();
  const top = new Map<string, Array<{ sort: string; node: Obj }>>();
  for (const k of KINDS) {
    for (const e of state.entities[k.name]) {
      const p = place(k, e, (id) => byId.has(id), overrides);
      const node = entityNode(k, e, p, byId, options);
      nodes.set(e.id, node);
      const item = { sort: `${label(k, e)}\0${e.id}`, node };
      if (p.parent === null) {
        if (!top.has(k.name)) top.set(k.name, []);
        top.get(k.name)!.push(item);
      } else {
        const m = children.get(p.parent.id) ?? new Map<string, Array<{ sort: string; node: Obj }>>();
        children.set(p.parent.id, m);
        if (!m.has(p.parent.key)) m.set(p.parent.key, []);
        m.get(p.parent.key)!.push(item);
      }
    }
  }
  const sorted = (list: Array<{ sort: string; node: Obj }>) => list.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0)).map((x) => x.node);
  for (const [id, m] of children) {
    const node = nodes.get(id)!;
    for (const key of [...m.keys()].sort()) node[key] = sorted(m.get(key)!);
  }
  const out: Obj = { _format_version: '3.0' };
  if (options.konnect !== undefined) out._konnect = { control_plane_name: options.konnect.control_plane_name };
  if (state.workspace !== null) out._workspace = state.workspace;
  const info: Obj = {};
  if (state.selectTags.length > 0) info.select_tags = [...state.selectTags];
  if (overrides || options.policyOverrides === true) info.consumer_group_policy_overrides = true;
  if (Object.keys(info).length > 0) out._info = info;
  for (const k of KINDS) if (top.has(k.name)) out[k.name] = sorted(top.get(k.name)!);
  return out;
}

function entityNode(kind: KindDef, e: Entity, p: Placement, byId: Map<string, { kind: KindDef; e: Entity }>, options: WriteOptions): Obj {
  const masked = maskEntity(kind.name, e, options.mask ?? {});
  if (kind.membership !== undefined && p.parent !== null) {
    const other = kind.foreignKeys.find((f) => f.field !== kind.membership!.member)!;
    const id = refId(e[other.field])!;
    const target = KIND_BY_NAME[other.kind];
    const name = refName(target, byId.get(id)?.e, id);
    return name === id ? { id } : { [target.refField ?? 'name']: name };
  }
  const node: Obj = {};
  // only fields that may be null: a null in a field that may not is the target's gap, and loads as the default
  const defaults = hasNull(e) ? fillEntityDefaults(kind.name, clean(e) as Obj, { nullableOnly: true }) : undefined;
  const keepId = options.withId === true || kind.naturalKey.includes('id') || kind.naturalKey.every((f) => !present(e[f]));
  for (const key of Object.keys(masked).sort()) {
    if (kind.ignore.includes(key) || (key === 'id' && !keepId)) continue;
    const fk = kind.foreignKeys.find((f) => f.field === key);
    if (fk !== undefined) {
      const id = refId(masked[key]);
      const parentId = p.parent === null ? null : refId(e[key]);
      if (id === null || (p.parent !== null && parentId === p.parent.id)) continue;
      node[key] = refName(KIND_BY_NAME[fk.kind], byId.get(id)?.e, id);
      continue;
    }
    const v = clean(masked[key], defaults?.[key]);
    if (v !== null && v !== undefined) node[key] = v;
    else if (v === null && defaults !== undefined && defaults[key] !== null && defaults[key] !== undefined) node[key] = null;
  }
  return node;
}

/** Render a State as a state file. */
export function writeState(state: State, options: WriteOptions = {}): string {
  const content = toContent(state, options);
  if (options.format === 'json') return `${JSON.stringify(content, null, 2)}\n`;
  return stringify(content, { lineWidth: 0, aliasDuplicateObjects: false });
}
