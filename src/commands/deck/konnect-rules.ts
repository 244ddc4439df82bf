/**
 * What Konnect does not offer, refused before anything is read or written, every case at its
 * `file:line:col`. Messages are decK's (validate/konnect_compatibility.go, cmd/ai.go) where decK has
 * one; aigw also checks rate-limiting's `policy` (decK checks only `strategy`, which rate-limiting does
 * not have) and ai-rate-limiting-advanced (a hybrid deployment refuses its `cluster` strategy).
 */
import type { Issue } from '../../config/issues.js';
import type { EntitySources, State } from '../../config/index.js';
import type { KindName } from '../../config/kinds.js';
import type { JsonPath } from '../../config/source.js';

const INCOMPATIBLE: Record<string, string> = {
  'jwt-signer': '[jwt-signer] plugin is not compatible with Konnect',
  'vault-auth': '[vault-auth] plugin is not compatible with Konnect',
  oauth2: '[oauth2] plugin is not compatible with Konnect',
  'application-registration': "[application-registration] available in Konnect, but doesn't require this plugin",
  'key-auth-enc': '[key-auth-enc] keys are automatically encrypted in Konnect, use the key auth plugin instead',
  openwhisk: '[openwhisk] plugin not bundled with Kong Gateway - installed as a LuaRocks package',
};

/** Plugins with a `cluster` counter strategy, and the config field that selects it. */
const CLUSTER_FIELDS: Record<string, string[]> = {
  'rate-limiting': ['strategy', 'policy'],
  'response-ratelimiting': ['strategy', 'policy'],
  'rate-limiting-advanced': ['strategy'],
  'graphql-rate-limiting-advanced': ['strategy'],
  'ai-rate-limiting-advanced': ['strategy'],
};

export const DECK_AI_TAG = 'managed_by:deck-ai';
const AI_MESSAGE = `AI Gateway entities (tagged "${DECK_AI_TAG}") cannot be managed on Konnect using decK. Use kongctl to manage AI Gateway configuration on Konnect instead`;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An issue at a path inside an entity (or at the entity when the file has no such path). */
export function issueIn(sources: EntitySources, kind: KindName, id: string, sub: JsonPath, at: 'key' | 'value', code: Issue['code'], message: string): Issue {
  const where = sources.locate(kind, id);
  if (where === undefined) return { severity: 'error', code, message };
  return where.file.issueAt([...where.path, ...sub], at, 'error', code, message);
}

/** Every Konnect incompatibility of the desired state. */
export function konnectIssues(state: State, sources: EntitySources): Issue[] {
  const out: Issue[] = [];
  for (const p of state.entities.plugins) {
    const name = typeof p.name === 'string' ? p.name : '';
    const incompatible = INCOMPATIBLE[name];
    if (incompatible !== undefined) out.push(issueIn(sources, 'plugins', p.id, ['name'], 'value', 'AIGW_KONNECT_UNSUPPORTED', incompatible));
    const config = isObj(p.config) ? p.config : {};
    for (const field of CLUSTER_FIELDS[name] ?? []) {
      if (config[field] === 'cluster') {
        out.push(issueIn(sources, 'plugins', p.id, ['config', field], 'value', 'AIGW_KONNECT_UNSUPPORTED', `[${name}] plugin can't be used with cluster strategy`));
      }
    }
  }
  // Konnect keeps them in its own API (decK: /v1/consumer-groups/{g}/rate-limiting-advanced-config), which aigw does not speak
  for (const o of state.entities.consumer_group_plugins) {
    out.push(issueIn(sources, 'consumer_group_plugins', o.id, ['name'], 'value', 'AIGW_KONNECT_UNSUPPORTED',
      'consumer-group policy overrides cannot be synced to Konnect by aigw (Konnect keeps them in its own rate-limiting-advanced-config API); scope a rate-limiting-advanced plugin to the consumer group instead'));
  }
  const tagged = Object.entries(state.entities).flatMap(([kind, list]) => list.filter((e) => Array.isArray(e.tags) && e.tags.includes(DECK_AI_TAG)).map((e) => ({ kind: kind as KindName, e })));
  if (state.selectTags.includes(DECK_AI_TAG) || tagged.length > 0) {
    const first = tagged[0];
    out.push(first === undefined ? { severity: 'error', code: 'AIGW_KONNECT_UNSUPPORTED', message: AI_MESSAGE } : issueIn(sources, first.kind, first.e.id, ['tags'], 'value', 'AIGW_KONNECT_UNSUPPORTED', AI_MESSAGE));
  }
  return out;
}

/**
 * decK's Konnect check of the file version (validate/konnect_compatibility.go): Konnect takes
 * `_format_version` 3.0 or above only. `legacy`: the warnings a load gave a Kong 2.x version
 * (1.1, 2.1), each turned into decK's error at the same position.
 */
export function konnectVersionIssues(legacy: readonly Issue[]): Issue[] {
  return legacy.filter((i) => i.code === 'AIGW_FORMAT_VERSION').map((i) => ({ ...i, severity: 'error', code: 'AIGW_KONNECT_UNSUPPORTED', message: "[version] decK file version must be '3.0' or greater" }));
}
