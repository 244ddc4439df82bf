/**
 * Kong's partials applied to a plugin config: each linked partial's config replaces the record at
 * the link's `path` (e.g. `config.redis`), as Kong forbids inline values for the fields a partial
 * covers. Used to validate the plugin as Kong does and by `aigw serve`.
 */
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface PartialLink {
  id: unknown;
  name: unknown;
  path: unknown;
}

/** The config with every link applied; `unapplied`: the links whose path is not a config record (e.g. `config.targets[]`) or whose partial is missing. */
export function applyPartials(config: unknown, links: unknown, partialConfig: (id: unknown) => unknown): { config: Record<string, unknown>; unapplied: PartialLink[] } {
  const own = isObj(config) ? config : {};
  if (!Array.isArray(links) || links.length === 0) return { config: own, unapplied: [] };
  const out: Record<string, unknown> = structuredClone(own);
  const unapplied: PartialLink[] = [];
  for (const link of links) {
    const l: PartialLink = isObj(link) ? { id: link.id, name: link.name, path: link.path } : { id: undefined, name: undefined, path: undefined };
    const value = partialConfig(l.id);
    const path = typeof l.path === 'string' ? l.path.split('.') : [];
    if (value === undefined || path[0] !== 'config' || path.length < 2 || path.some((s) => s.endsWith('[]'))) {
      unapplied.push(l);
      continue;
    }
    let at = out;
    for (const step of path.slice(1, -1)) {
      if (!isObj(at[step])) at[step] = {};
      at = at[step] as Record<string, unknown>;
    }
    at[path[path.length - 1] as string] = structuredClone(value);
  }
  return { config: out, unapplied };
}
