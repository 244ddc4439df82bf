/**
 * Konnect's defaults, read the way decK reads them (GDR pkg/schema/fetchers.go):
 *   GET {root}/v1/schemas/json/{service|route|upstream|target|consumer|…}   JSON Schema (`properties.*.default`)
 *   GET {root}/schemas/plugins/{name}                                       Kong Lua-style `{fields:[…]}`
 * `root` is the control plane's core-entities URL without a workspace (go-kong NewKonnectWorkspaceRequest).
 * The JSON Schema is turned into Kong's field-list form (as go-kong flattenJSONSchema does: objects are
 * records, everything else takes its `default`), so one filler serves Kong and Konnect.
 */
import { KINDS, type KindName } from '../../config/kinds.js';
import { AdminApiError, type AdminClient } from '../client.js';
import type { Defaults } from '../read-state.js';
import { kongSchema } from '../schema-format.js';

export interface KonnectDefaults extends Defaults {
  /** Plugins the control plane has no schema for (`no plugin-schema for '<name>'`). */
  unknownPlugins: string[];
}

async function getOrNull(client: AdminClient, path: string): Promise<unknown> {
  try {
    return await client.get(path);
  } catch (err) {
    if (err instanceof AdminApiError && err.status === 404) return null;
    throw err;
  }
}

export async function readKonnectDefaults(root: AdminClient, pluginNames: readonly string[]): Promise<KonnectDefaults> {
  const kinds = KINDS.filter((k) => k.konnectSchemaName !== undefined);
  const schemas = await Promise.all(kinds.map((k) => getOrNull(root, `/v1/schemas/json/${k.konnectSchemaName}`)));
  const byKind = new Map<KindName, unknown>();
  kinds.forEach((k, i) => {
    const s = schemas[i];
    if (s !== null && typeof s === 'object') byKind.set(k.name, kongSchema(s, false).fields);
  });
  const names = [...new Set(pluginNames)].sort();
  const plugins = await Promise.all(names.map((n) => getOrNull(root, `/schemas/plugins/${encodeURIComponent(n)}`)));
  const byPlugin = new Map<string, unknown>();
  const unknownPlugins: string[] = [];
  names.forEach((n, i) => {
    const p = plugins[i];
    if (p === null) unknownPlugins.push(n);
    else if (typeof p === 'object') byPlugin.set(n, (p as { fields?: unknown }).fields);
  });
  return { entity: (k) => byKind.get(k), plugin: (n) => byPlugin.get(n), unknownPlugins };
}
