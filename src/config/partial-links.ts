/**
 * Plugins' `partials` links → `{id, name, path}`: the partial found by id or name in the files, else
 * (with `_info.default_lookup_tags.partials`) among the gateway's partials carrying those tags, as decK
 * does (deck cmd/common.go syncContent appends the looked-up partials to the file's; GDR builder.go
 * findLinkedPartials); with apply, among the target's partials too. The path defaults to where the plugin takes that partial type (its schema's
 * `x-kong-partials`). Offline, a link to a partial the files do not have is announced (a warning) when
 * lookup tags may resolve it, and is decK's "entity not found" error otherwise.
 */
import { isObj, type RawEntity } from './collect.js';
import { findOnGateway, resolveOnGateway, type GatewayScope } from './gateway-refs.js';
import type { Issue } from './issues.js';
import { schemas } from './schemas.js';
import type { emptyEntities, Entity } from './state.js';

type Entities = ReturnType<typeof emptyEntities>;

/** The partial a link names in a list of the gateway's partials. */
function findIn(list: readonly Entity[] | undefined, l: Record<string, unknown>): Entity | undefined {
  if (list === undefined) return undefined;
  return typeof l.id === 'string' ? findOnGateway(list, 'partials', { by: 'id', value: l.id }) : typeof l.name === 'string' ? findOnGateway(list, 'partials', { by: 'name', value: l.name }) : undefined;
}

/**
 * The partial a link names: in the files, else among the gateway's lookup-tagged partials (online),
 * else (apply, online) among the target's partials.
 */
function findPartial(entities: Entities, l: Record<string, unknown>, gateway: GatewayScope): Entity | undefined {
  const named = (p: Entity) => (l.id != null && p.id === l.id) || (l.name != null && p.name === l.name);
  const inFiles = entities.partials.find(named);
  if (inFiles !== undefined) return inFiles;
  const tagged = (gateway.lookupTags.partials?.length ?? 0) > 0 ? findIn(gateway.found?.partials, l) : undefined;
  return tagged ?? findIn(gateway.apply?.entities?.partials ?? undefined, l);
}

export function linkPartials(entities: Entities, origins: Map<Entity, RawEntity>, gateway: GatewayScope): Issue[] {
  const issues: Issue[] = [];
  entities.plugins = entities.plugins.map((plugin) => {
    if (!Array.isArray(plugin.partials)) return plugin;
    const raw = origins.get(plugin);
    const supported = (schemas().plugin(String(plugin.name))?.['x-kong-partials'] ?? {}) as Record<string, string>;
    const partials = plugin.partials.map((link: unknown, i: number) => {
      const l = isObj(link) ? link : {};
      const field = l.name != null ? 'name' : l.id != null ? 'id' : null;
      const at = raw ? [...raw.path, 'partials', i, ...(field ? [field] : [])] : [];
      const say = (message: string): unknown => {
        if (raw) issues.push(raw.file.issueAt(at, 'value', 'error', 'AIGW_REFERENCE', message));
        return link;
      };
      const what = `partial ${String(l.name ?? l.id)} for plugin ${String(plugin.name)}`;
      const found = findPartial(entities, l, gateway);
      if (!found) {
        const value = field === null ? null : l[field];
        const lookup = (gateway.found === undefined && (gateway.lookupTags.partials?.length ?? 0) > 0) || gateway.apply?.entities === null;
        const announced = raw && typeof value === 'string' && lookup
          ? resolveOnGateway(raw, what, { by: field === 'id' ? 'id' : 'name', value, path: at }, 'partials', gateway)
          : null;
        if (announced?.issue === undefined) return say(`${what}: entity not found`);
        issues.push(announced.issue);
        return { id: announced.id, name: l.name ?? null, path: typeof l.path === 'string' ? l.path : null };
      }
      const path = typeof l.path === 'string' ? l.path : supported[String(found.type)];
      if (path === undefined) return say(`plugin ${String(plugin.name)} takes no partial of type ${String(found.type)}`);
      return { id: found.id, name: found.name ?? null, path };
    });
    const linked: Entity = { ...plugin, partials };
    if (raw) {
      origins.delete(plugin);
      origins.set(linked, raw);
    }
    return linked;
  });
  return issues;
}
