/**
 * Plugin stores that outlive a Runtime, keyed by plugin id + config hash. After a reload,
 * `retain` drops (and disposes) the stores no plugin of the new Runtime uses.
 */
import { createHash } from 'node:crypto';
import type { PluginStore } from './plugin.js';
import { runInSlices, type Steps } from './time-slices.js';

const SLICE_MS = 4;

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

  /**
   * Dispose every store whose key is not in `keep`. The disposals start in time slices (a step per
   * store): after a reload that replaced thousands of plugins they were one task of tens of
   * milliseconds on the proxy's thread.
   */
  async retain(keep: ReadonlySet<string>): Promise<void> {
    const pending: Promise<void>[] = [];
    await runInSlices(this.dropping(keep, pending), SLICE_MS);
    await Promise.all(pending);
  }

  private *dropping(keep: ReadonlySet<string>, pending: Promise<void>[]): Steps<void> {
    for (const k of [...this.stores.keys()]) {
      if (keep.has(k)) continue;
      pending.push(this.disposeOne(k));
      yield;
    }
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
