/**
 * What the Admin API needs to know about entities beyond the kind table: validation, Kong-style
 * default filling, the schemas it publishes, and how to read and write a declarative config.
 * `configRules()` (config-rules.ts) wires these to src/config; tests may inject their own.
 */
import type { KindName } from '../../config/kinds.js';
import type { State } from '../../config/state.js';

export interface RuleIssue {
  message: string;
  /** Path inside the entity (`['config', 'auth', 'header_name']`). */
  path?: Array<string | number>;
}

export interface EntityRules {
  /** Fill defaults the way Kong does (every field present). */
  fill(kind: KindName, entity: Record<string, unknown>): Record<string, unknown>;
  /** Problems of a filled entity; empty when valid. */
  validate(kind: KindName, entity: Record<string, unknown>): RuleIssue[];
  /** JSON Schema of an entity kind / a plugin config, for `/schemas/…`. */
  entitySchema(kind: KindName): unknown;
  pluginSchema(name: string): unknown;
  knownPlugins(): string[];
  /**
   * Parse and normalise a declarative config (`POST /config`). `json`: `text` is an
   * `application/json` body, the config in its `config` member; rejects with ConfigBodyError
   * (config/thread/config-body.ts) when it is not JSON. Bytes are UTF-8, decoded where the config is loaded.
   */
  loadConfig(text: string | Uint8Array, opts?: { json?: boolean }): Promise<{ state: State | null; errors: string[] }>;
  /** Render a State as a declarative config (`GET /config`). */
  renderConfig(state: State): string;
}

/** Accepts everything as given: no defaults, no validation. For tests and as a last resort. */
export function permissiveRules(overrides: Partial<EntityRules> = {}): EntityRules {
  return {
    fill: (_k, e) => e,
    validate: () => [],
    entitySchema: () => ({ type: 'object', properties: {} }),
    pluginSchema: () => undefined,
    knownPlugins: () => [],
    loadConfig: async () => ({ state: null, errors: ['declarative configuration is not available'] }),
    renderConfig: () => '',
    ...overrides,
  };
}
