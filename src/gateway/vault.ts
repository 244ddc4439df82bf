/**
 * `{vault://env/NAME}` references in plugin configs, resolved from the environment when a
 * Runtime is built. As Kong's env vault: NAME upper-cased with `-` → `_`, an optional vault
 * entity prefix (`vaults[].config.prefix` for a vault named `env`), `config.base64_decode`
 * (Kong 3.11), and `/key` to pick a field of a JSON value. Only in the fields Kong marks
 * referenceable (config/vault-refs.ts): a reference anywhere else makes the build fail, so a secret
 * never lands in a field meant to be public.
 */
import type { State } from '../config/state.js';
import { schemas } from '../config/schemas.js';
import { notReferenceable, vaultSites } from '../config/vault-refs.js';

const REF = /^\{vault:\/\/([^/}]+)\/([^}]+)\}$/;

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

/** The vault backends aigw serve implements (Kong's `loaded_vaults`); any other vault entity is refused. */
export const INSTALLED_VAULTS: readonly string[] = ['env'];

export interface VaultResolver {
  /** `value` with every whole-string reference resolved, wherever it is (see `pluginConfig`). */
  resolve<T>(value: T): T;
  /** A plugin's config with its references resolved, refusing any outside a referenceable field. */
  pluginConfig(name: string, config: Record<string, unknown>): Record<string, unknown>;
}

export function vaultResolver(state: State, env: Readonly<Record<string, string | undefined>>): VaultResolver {
  const prefixes = new Map<string, { prefix: string; base64: boolean }>([['env', { prefix: '', base64: false }]]);
  for (const v of state.entities.vaults) {
    if (!INSTALLED_VAULTS.includes(String(v.name))) throw new VaultError(`vault '${String(v.name)}' is not installed`);
    if (typeof v.prefix !== 'string') continue;
    const config = v.config as Record<string, unknown> | null;
    prefixes.set(v.prefix, { prefix: typeof config?.prefix === 'string' ? config.prefix : '', base64: config?.base64_decode === true });
  }
  const lookup = (vault: string, path: string): string => {
    const backend = prefixes.get(vault);
    if (backend === undefined) throw new VaultError(`vault '${vault}' is not configured (only env vaults are supported)`);
    const [name, key] = path.split('/', 2);
    const varName = `${backend.prefix}${name}`.toUpperCase().replace(/-/g, '_');
    const value = env[varName];
    if (value === undefined) throw new VaultError(`could not resolve {vault://${vault}/${path}}: environment variable ${varName} is not set`);
    const raw = backend.base64 ? Buffer.from(value, 'base64').toString('utf8') : value;
    if (key === undefined) return raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new VaultError(`could not resolve {vault://${vault}/${path}}: ${varName} is not JSON`);
    }
    const v = (parsed as Record<string, unknown> | null)?.[key];
    if (typeof v !== 'string') throw new VaultError(`could not resolve {vault://${vault}/${path}}: no key '${key}'`);
    return v;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const m = REF.exec(value);
      return m ? lookup(m[1], m[2]) : value;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  const pluginConfig = (name: string, config: Record<string, unknown>): Record<string, unknown> => {
    const sites = vaultSites(schemas().plugin(name), `plugins/${name}.json`, config);
    const refused = sites.find((site) => !site.referenceable);
    if (refused) throw new VaultError(`config.${refused.path.join('.')}: ${notReferenceable(refused.path)}`);
    return sites.length === 0 ? config : (walk(config) as Record<string, unknown>);
  };
  return { resolve: <T>(value: T): T => walk(value) as T, pluginConfig };
}
