/**
 * Read a gateway's whole configuration through its Admin API into a State: every kind of the kind
 * table in parallel, paged; memberships per parent; families the target does not have (404/403)
 * count as empty. Also the target's own defaults (`/schemas/...`), so that a state file's
 * entities can be completed exactly as the target would complete them.
 */
import { createHash } from 'node:crypto';
import { KINDS, KIND_BY_NAME, type KindDef, type KindName } from '../config/kinds.js';
import { emptyEntities, freezeState, refId, type Entity, type State } from '../config/state.js';
import { fillFromKong } from './schema-format.js';
import { LOOKUP_KINDS, type GatewayEntities, type LookupTags } from '../config/gateway-refs.js';
import { withoutMirrors } from '../config/shorthands.js';
import { schemas } from '../config/schemas.js';
import { AdminApiError, type AdminClient, type Json } from './client.js';

export interface ReadOptions {
  /** decK select tags: only entities carrying all of them. */
  selectTags?: readonly string[];
  /** Kinds not read at all (`--skip-consumers`). */
  skip?: ReadonlySet<KindName>;
  /** Consumers outside the select tags that the files name through default_lookup_tags (their memberships are the files'). */
  lookedUpConsumers?: readonly string[];
  /** Read consumer groups' policy overrides (decK's consumer_group_policy_overrides; `GET /consumer_groups/{g}`). */
  policyOverrides?: boolean;
}

/**
 * Consumer groups' policy overrides (Kong EE consumer_group_plugins): the `plugins` of
 * `GET /consumer_groups/{g}` (decK GetAllConsumerGroups), with the group as foreign key.
 */
export async function readOverrides(client: AdminClient, groups: readonly Entity[]): Promise<Entity[]> {
  const lists = await Promise.all(groups.map(async (g) => {
    try {
      const body = await client.get(client.scoped(`/consumer_groups/${g.id}`));
      const plugins = body !== null && typeof body === 'object' ? (body as { plugins?: unknown }).plugins : undefined;
      return (Array.isArray(plugins) ? plugins : []).filter((p): p is Json => p !== null && typeof p === 'object' && typeof (p as Json).id === 'string')
        .map((p) => ({ ...p, consumer_group: { id: g.id } }) as unknown as Entity);
    } catch (err) {
      if (absent(err)) return [];
      throw err;
    }
  }));
  return lists.flat();
}

function absent(err: unknown): boolean {
  return err instanceof AdminApiError && (err.status === 404 || err.status === 403);
}

async function orEmpty<T>(p: Promise<T[]>): Promise<T[]> {
  try {
    return await p;
  } catch (err) {
    if (absent(err)) return [];
    throw err;
  }
}

/** A stable uuid-shaped id for an entity the Admin API does not give one (memberships). */
export function derivedId(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\0')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function toEntity(item: Json): Entity | null {
  return typeof item.id === 'string' ? (item as Entity) : null;
}

export async function readMembers(client: AdminClient, kind: KindDef, parents: readonly Entity[]): Promise<Entity[]> {
  const m = kind.membership!;
  const parentFk = kind.foreignKeys.find((f) => f.field === m.parent)!;
  const parentKind = KIND_BY_NAME[parentFk.kind];
  const lists = await Promise.all(
    parents.map(async (p) => {
      const members = await orEmpty(client.listAll(client.scoped(`${parentKind.endpoint}/${p.id}/${kind.nestedEndpoint}`)));
      return members
        .filter((c) => typeof c.id === 'string')
        .map((c) => ({ id: derivedId(p.id, c.id as string), [m.parent]: { id: p.id }, [m.member]: { id: c.id as string } }) as Entity);
    }),
  );
  return lists.flat();
}

/** The required parent of a kind that also lives under it (`/upstreams/{u}/targets`). */
export function nestingParent(kind: KindDef): { field: string; parent: KindDef } | undefined {
  if (kind.nestedEndpoint === undefined) return undefined;
  const fk = kind.foreignKeys.find((f) => f.required);
  return fk === undefined ? undefined : { field: fk.field, parent: KIND_BY_NAME[fk.kind] };
}

/** Top-level list, or null when the target has no such collection (Kong has no `/targets`). */
async function listTop(client: AdminClient, kind: KindDef, query: Record<string, string>): Promise<Entity[] | null> {
  try {
    return (await client.listAll(client.scoped(kind.endpoint), query)).map(toEntity).filter((e): e is Entity => e !== null);
  } catch (err) {
    if (absent(err)) return null;
    throw err;
  }
}

/** Per-parent lists (N+1), for kinds only reachable under their parent. */
async function listNested(client: AdminClient, kind: KindDef, parents: readonly Entity[], query: Record<string, string>): Promise<Entity[]> {
  const nest = nestingParent(kind);
  if (nest === undefined) return [];
  const lists = await Promise.all(
    parents.map((p) => orEmpty(client.listAll(client.scoped(`${nest.parent.endpoint}/${p.id}/${kind.nestedEndpoint}`), query))),
  );
  return lists.flat().map(toEntity).filter((e): e is Entity => e !== null);
}

/** Read the current state of the target. */
export async function readState(client: AdminClient, options: ReadOptions = {}): Promise<State> {
  const skip = options.skip ?? new Set<KindName>();
  const query: Record<string, string> = options.selectTags !== undefined && options.selectTags.length > 0 ? { tags: options.selectTags.join(',') } : {};
  const entities = emptyEntities();
  const plain = KINDS.filter((k) => k.membership === undefined && k.policyOverride === undefined && !skip.has(k.name));
  const tops = await Promise.all(plain.map((k) => listTop(client, k, query)));
  plain.forEach((k, i) => (entities[k.name] = tops[i] ?? []));
  // kinds the target only serves under their parent, parents first
  for (const k of [...plain].sort((a, b) => a.level - b.level)) {
    const nest = nestingParent(k);
    if (tops[plain.indexOf(k)] === null && nest !== undefined) entities[k.name] = await listNested(client, k, entities[nest.parent.name], query);
  }
  for (const k of KINDS) {
    if (k.membership === undefined || skip.has(k.name)) continue;
    const parentKind = k.foreignKeys.find((f) => f.field === k.membership!.parent)!.kind;
    const members = await readMembers(client, k, entities[parentKind]);
    // with select tags, a membership belongs to the file that manages its member (another team's
    // consumer, unless this file names that consumer through default_lookup_tags)
    const inScope = new Set([...entities.consumers.map((c) => c.id), ...(options.lookedUpConsumers ?? [])]);
    const scoped = query.tags !== undefined && !skip.has('consumers');
    entities[k.name] = scoped ? members.filter((m) => inScope.has(refId(m.consumer) ?? '')) : members;
  }
  if (options.policyOverrides === true && !skip.has('consumer_groups')) entities.consumer_group_plugins = await readOverrides(client, entities.consumer_groups);
  // Kong shows a plugin's deprecated shorthands mirrored from the fields they stand for: drop them
  entities.plugins = entities.plugins.map((p) => typeof p.name === 'string' ? { ...p, config: withoutMirrors(schemas().plugin(p.name), p.config) } as Entity : p);
  // a foreign key to an entity outside the selection (select tags) stays as an id
  return freezeState({ workspace: client.scoped('') === '' ? null : client.scoped('').slice(1), selectTags: [...(options.selectTags ?? [])], entities });
}

/**
 * The entities of other files that `_info.default_lookup_tags` names: per kind, those carrying all
 * the tags (decK: GetAllConsumers / …Groups / …Services / …Routes / …Partials with `?tags=a,b`).
 */
export async function readLookups(client: AdminClient, lookupTags: LookupTags): Promise<GatewayEntities> {
  const kinds = LOOKUP_KINDS.filter((k) => (lookupTags[k]?.length ?? 0) > 0);
  const lists = await Promise.all(kinds.map((k) => listTop(client, KIND_BY_NAME[k], { tags: (lookupTags[k] ?? []).join(',') })));
  const found = Object.fromEntries(kinds.map((k, i) => [k, lists[i] ?? []])) as GatewayEntities;
  if (found.consumer_groups !== undefined) found.group_members = await readGroupMembers(client, found.consumer_groups);
  return found;
}

/** The consumers in the given consumer groups, each once (`/consumer_groups/{id}/consumers` lists whole consumers). */
async function readGroupMembers(client: AdminClient, groups: readonly Entity[]): Promise<Entity[]> {
  const lists = await Promise.all(groups.map((g) => orEmpty(client.listAll(client.scoped(`/consumer_groups/${g.id}/consumers`)))));
  const byId = new Map<string, Entity>();
  for (const item of lists.flat()) {
    const e = toEntity(item);
    if (e !== null) byId.set(e.id, e);
  }
  return [...byId.values()];
}

/**
 * The current state as a file with lookup tags sees it: the looked-up entities are another file's
 * (never compared, so never deleted, even without select tags), and the memberships of looked-up
 * consumer groups whose consumer is in scope are this file's to compare.
 */
export async function withLookups(client: AdminClient, current: State, gateway: GatewayEntities): Promise<State> {
  const entities = emptyEntities();
  for (const k of KINDS) {
    // the members of looked-up consumer groups are decK's desired consumers as found: never compared either
    const found = [...(gateway[k.name as keyof GatewayEntities] ?? []), ...(k.name === 'consumers' ? (gateway.group_members ?? []) : [])];
    const foreign = new Set(found.map((e) => e.id));
    entities[k.name] = current.entities[k.name].filter((e) => !foreign.has(e.id));
  }
  const groups = gateway.consumer_groups ?? [];
  if (groups.length > 0) {
    const consumers = new Set(entities.consumers.map((c) => c.id));
    const known = new Set(entities.consumer_group_consumers.map((m) => m.id));
    const members = await readMembers(client, KIND_BY_NAME.consumer_group_consumers, groups);
    for (const m of members) {
      const consumer = (m.consumer as { id: string }).id;
      if (consumers.has(consumer) && !known.has(m.id)) entities.consumer_group_consumers.push(m);
    }
  }
  return freezeState({ workspace: current.workspace, selectTags: [...current.selectTags], entities });
}

/** The target's defaults: Kong-format field lists per kind and per plugin. */
export interface Defaults {
  entity(kind: KindName): unknown;
  plugin(name: string): unknown;
}

/** Fetch `/schemas/{kind}` for every kind and `/schemas/plugins/{name}` for the given plugins. */
export async function readDefaults(client: AdminClient, pluginNames: readonly string[]): Promise<Defaults> {
  const fetchFields = async (path: string): Promise<unknown> => {
    try {
      const body = await client.get(path);
      return body !== null && typeof body === 'object' ? (body as { fields?: unknown }).fields : undefined;
    } catch (err) {
      if (err instanceof AdminApiError && err.status >= 400 && err.status < 500) return undefined;
      throw err;
    }
  };
  const kinds = KINDS.filter((k) => k.membership === undefined && k.policyOverride === undefined);
  const entityFields = await Promise.all(kinds.map((k) => fetchFields(`/schemas/${k.schemaName}`)));
  const names = [...new Set(pluginNames)].sort();
  const pluginFields = await Promise.all(names.map((n) => fetchFields(`/schemas/plugins/${encodeURIComponent(n)}`)));
  const byKind = new Map<KindName, unknown>(kinds.map((k, i) => [k.name, entityFields[i]]));
  const byPlugin = new Map<string, unknown>(names.map((n, i) => [n, pluginFields[i]]));
  return { entity: (k) => byKind.get(k), plugin: (n) => byPlugin.get(n) };
}

function configFields(pluginFields: unknown): unknown {
  if (!Array.isArray(pluginFields)) return undefined;
  for (const f of pluginFields) {
    if (f !== null && typeof f === 'object' && 'config' in f) return ((f as { config: { fields?: unknown } }).config ?? {}).fields;
  }
  return undefined;
}

/** Complete every entity of a State with the target's defaults (absent fields only). */
export function withDefaults(state: State, defaults: Defaults): State {
  const entities = emptyEntities();
  for (const k of KINDS) {
    const fields = defaults.entity(k.name);
    entities[k.name] = state.entities[k.name].map((e) => {
      let out: Record<string, unknown> = fields === undefined ? e : fillFromKong(fields, { ...e });
      if (k.name === 'plugins' && typeof e.name === 'string' && e.config !== null && typeof e.config === 'object' && !Array.isArray(e.config)) {
        const cf = configFields(defaults.plugin(e.name));
        if (cf !== undefined) out = { ...out, config: fillFromKong(cf, { ...(e.config as Json) }) };
      }
      return out as Entity;
    });
  }
  return freezeState({ workspace: state.workspace, selectTags: [...state.selectTags], entities });
}

