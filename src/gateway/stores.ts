/**
 * Plugin stores that outlive a Runtime, keyed by plugin id + config hash. After a reload,
 * `retain` drops (and disposes) the stores no plugin of the new Runtime uses.
 */
import { createHash } from 'node:crypto';
import type { PluginStore } from './plugin.js';

interface Held {
  value: unknown;
  dispose?: (value: unknown) => void | Promise<void>;
}

class Store implements PluginStore {
  readonly values = new Map<string, Held>();
  get<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T {
    const held = this.values.get(key);
    if (held) return held.value as T;
    const value = create();
    this.values.set(key, { value, dispose: dispose as Held['dispose'] });
    return value;
  }
}

export class PluginStores {
  private readonly stores = new Map<string, Store>();

  store(key: string): PluginStore {
    let s = this.stores.get(key);
    if (!s) {
      s = new Store();
      this.stores.set(key, s);
    }
    return s;
  }

  /** Dispose every store whose key is not in `keep`. */
  async retain(keep: ReadonlySet<string>): Promise<void> {
    const drop = [...this.stores.keys()].filter((k) => !keep.has(k));
    await Promise.all(drop.map((k) => this.disposeOne(k)));
  }

  async disposeAll(): Promise<void> {
    await this.retain(new Set());
  }

  private async disposeOne(key: string): Promise<void> {
    const s = this.stores.get(key);
    this.stores.delete(key);
    if (!s) return;
    for (const held of s.values.values()) {
      try {
        await held.dispose?.(held.value);
      } catch {
        // a failing dispose must not block the others
      }
    }
  }
}

/** Canonical JSON (sorted keys) for hashing configs. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function storeKey(pluginId: string, config: unknown): string {
  return `${pluginId}:${createHash('sha1').update(canonicalJson(config)).digest('hex')}`;
}

/** The PluginStores key of a store shared by the entities of plugin `name` under `key`. */
export function sharedStoreKey(name: string, key: string): string {
  return `${name}#shared:${key}`;
}
