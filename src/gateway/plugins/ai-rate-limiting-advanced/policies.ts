/**
 * ai-rate-limiting-advanced `policies[]` (Kong 3.14, replacing the deprecated `llm_providers`):
 * each policy has match conditions (AND), limits (a number of tokens or a cost per window, each
 * with its own `tokens_count_strategy`) and a window type.
 *
 * Which policies apply (Kong's schema: "Array of match conditions (AND logic). If omitted, this
 * policy acts as a fallback for unmatched requests"): every policy whose conditions all hold; the
 * policies without conditions only when no policy with conditions matched. A condition holds when
 * the request has the attribute and, when `values` are listed, one of them equals it (`ip`: an
 * address or a CIDR range). `partition_by` puts the matched value in the counter key, so each
 * distinct value has its own counters; without it every matching request shares them.
 *
 * Pure: parsing (errors thrown at startup) and matching against the facts of a request.
 */
import type { BlockList } from 'node:net';
import { isIP } from 'node:net';
import { isObject } from '../../llm/wire/openai-types.js';
import { blockList } from '../ip-restriction/index.js';
import type { WindowType } from './windows.js';

export type CountStrategy = 'total_tokens' | 'prompt_tokens' | 'completion_tokens' | 'cost';
export type ConditionType = 'consumer' | 'consumer_group' | 'header' | 'ip' | 'model' | 'path' | 'provider';

const TYPES: readonly ConditionType[] = ['consumer', 'consumer_group', 'header', 'ip', 'model', 'path', 'provider'];
const STRATEGIES: readonly CountStrategy[] = ['total_tokens', 'prompt_tokens', 'completion_tokens', 'cost'];
/** The sub-keys Kong documents per condition type ("consumer (id|username|custom_id), consumer_group (id|name), or header (header name)"). */
const KEYS: Partial<Record<ConditionType, readonly string[]>> = { consumer: ['id', 'username', 'custom_id'], consumer_group: ['id', 'name'] };

export interface Condition {
  type: ConditionType;
  /** consumer: id|username|custom_id; consumer_group: id|name (null: any of them); header: the header name (lower case). */
  key: string | null;
  /** null: any value of the attribute. */
  values: readonly string[] | null;
  /** `ip` values as a list of addresses and ranges. */
  ips: BlockList | null;
  partition: boolean;
}

export interface PolicyLimit { limit: number; size: number; strategy: CountStrategy }

export interface Policy {
  /** `policy-<n>` (1-based): the name in the X-AI-RateLimit-* headers and the 429 message. */
  name: string;
  match: readonly Condition[];
  limits: readonly PolicyLimit[];
  windowType: WindowType;
}

/** What the conditions look at, gathered once per request. */
export interface RequestFacts {
  consumer: { id: string; username: string | null; custom_id: string | null } | null;
  groupIds: readonly string[];
  groupNames: readonly string[];
  header(name: string): string | undefined;
  ip: string;
  path: string;
  /** The models the request will use (the route's, else the one the body names); empty when unknown. */
  models: readonly string[];
  /** The providers the route's AI proxy calls; empty on a route without one. */
  providers: readonly string[];
}

/**
 * A policy that applies to a request, the partition its counters are kept under ('' when none),
 * and the providers/models it stands for when its conditions look at them (absent: any). On a
 * route with several targets, a policy partitioned by provider or model applies once per target
 * that matches; settlement charges the one that answered and releases the others.
 */
export interface MatchedPolicy {
  policy: Policy;
  partition: string;
  provider?: readonly string[];
  model?: readonly string[];
}

const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null);

function parseCondition(m: unknown, where: string): Condition {
  if (!isObject(m) || !TYPES.includes(m.type as ConditionType)) throw new Error(`${where}: 'type' must be one of ${TYPES.join(', ')}`);
  const type = m.type as ConditionType;
  const key = typeof m.key === 'string' && m.key !== '' ? m.key : null;
  const allowed = KEYS[type];
  if (type === 'header' && key === null) throw new Error(`${where}: a 'header' condition needs 'key', the header name`);
  if (allowed && key !== null && !allowed.includes(key)) throw new Error(`${where}: 'key' of a '${type}' condition must be one of ${allowed.join(', ')}`);
  if (!allowed && type !== 'header' && key !== null) throw new Error(`${where}: a '${type}' condition takes no 'key'`);
  const values = strings(m.values);
  const list = values !== null && values.length > 0 ? values : null;
  let ips: BlockList | null = null;
  if (type === 'ip' && list !== null) {
    try {
      ips = blockList(list);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
  }
  return { type, key: type === 'header' && key !== null ? key.toLowerCase() : key, values: list, ips, partition: m.partition_by === true };
}

function parseLimit(l: unknown, where: string, inherited: CountStrategy): PolicyLimit {
  if (!isObject(l) || typeof l.limit !== 'number' || typeof l.window_size !== 'number') throw new Error(`${where}: needs 'limit' and 'window_size'`);
  if (!(l.window_size > 0)) throw new Error(`${where}: 'window_size' must be greater than 0`);
  const own = l.tokens_count_strategy === undefined || l.tokens_count_strategy === null ? 'total_tokens' : l.tokens_count_strategy;
  if (!STRATEGIES.includes(own as CountStrategy)) throw new Error(`${where}: 'tokens_count_strategy' must be one of ${STRATEGIES.join(', ')}`);
  return { limit: l.limit, size: l.window_size, strategy: own === 'total_tokens' ? inherited : own as CountStrategy };
}

/**
 * `policies[]` as run by serve. The plugin's top-level `window_type` and `tokens_count_strategy`
 * are not dropped: a policy counts in fixed windows when either its own or the plugin's
 * `window_type` says `fixed` (both default to sliding), and a limit left at the default
 * `total_tokens` counts what the plugin's `tokens_count_strategy` says.
 */
export function parsePolicies(v: unknown, windowType: WindowType, strategy: CountStrategy = 'total_tokens'): Policy[] {
  const out: Policy[] = [];
  (Array.isArray(v) ? v : []).forEach((p, i) => {
    const name = `policy-${i + 1}`;
    const where = `policies[${i}] (${name})`;
    if (!isObject(p)) throw new Error(`${where}: must be a record`);
    if (typeof p.id === 'string' && p.id !== '') {
      throw new Error(`${where}: 'id' references a reusable ai_rate_limiting_policies entity, which aigw does not have; write the policy's match and limits inline`);
    }
    const limits = Array.isArray(p.limits) ? p.limits.map((l, j) => parseLimit(l, `${where}.limits[${j}]`, strategy)) : [];
    if (limits.length === 0) throw new Error(`${where}: 'limits' must list at least one limit`);
    const match = Array.isArray(p.match) ? p.match.map((m, j) => parseCondition(m, `${where}.match[${j}]`)) : [];
    const own: WindowType = p.window_type === 'fixed' ? 'fixed' : 'sliding';
    out.push({ name, match, limits, windowType: own === 'fixed' || windowType === 'fixed' ? 'fixed' : 'sliding' });
  });
  return out;
}

/** The values of the attribute a condition looks at (several for a consumer's groups, a multi-target route's models). */
function attribute(c: Condition, f: RequestFacts): readonly string[] {
  switch (c.type) {
    case 'consumer': {
      if (!f.consumer) return [];
      const all = { id: f.consumer.id, username: f.consumer.username, custom_id: f.consumer.custom_id };
      const picked = c.key === null ? Object.values(all) : [all[c.key as keyof typeof all]];
      return picked.filter((x): x is string => typeof x === 'string');
    }
    case 'consumer_group': return c.key === 'id' ? f.groupIds : c.key === 'name' ? f.groupNames : [...f.groupIds, ...f.groupNames];
    case 'header': {
      const h = c.key === null ? undefined : f.header(c.key);
      return h === undefined ? [] : [h];
    }
    case 'ip': return [f.ip];
    case 'path': return [f.path];
    case 'model': return f.models;
    case 'provider': return f.providers;
    default: return [];
  }
}

/** The values of the request attribute that satisfy the condition (empty: it does not hold). */
export function conditionValues(c: Condition, f: RequestFacts): string[] {
  const values = attribute(c, f);
  const ips = c.ips;
  if (ips !== null) return values.filter((v) => isIP(v) !== 0 && ips.check(v, isIP(v) === 6 ? 'ipv6' : 'ipv4'));
  const wanted = c.values;
  return wanted === null ? [...values] : values.filter((v) => wanted.includes(v));
}

/** The value that satisfies the condition (the partition value), null when it does not hold. */
export function conditionValue(c: Condition, f: RequestFacts): string | null {
  return conditionValues(c, f)[0] ?? null;
}

/** The ways a policy applies: none when a condition does not hold; one per target for a provider/model partition. */
function matchOne(p: Policy, f: RequestFacts): MatchedPolicy[] {
  let out: MatchedPolicy[] = [{ policy: p, partition: '' }];
  for (const c of p.match) {
    const hits = conditionValues(c, f);
    if (hits.length === 0) return [];
    const target = c.type === 'provider' || c.type === 'model' ? c.type : null;
    // consumer groups, consumer keys: the first value partitions; a route's targets: each one does
    const split = c.partition ? (target ? hits : hits.slice(0, 1)) : [null];
    out = out.flatMap((m) => split.map((v) => {
      const next: MatchedPolicy = { ...m, partition: v === null ? m.partition : [m.partition, `${c.type}=${v}`].filter(Boolean).join('|') };
      if (target) next[target] = v === null ? hits : [v];
      return next;
    }));
  }
  return out;
}

/** The policies that apply: those whose conditions all hold; the unconditional ones when none of those did. */
export function selectPolicies(policies: readonly Policy[], f: RequestFacts): MatchedPolicy[] {
  const matched = policies.filter((p) => p.match.length > 0).flatMap((p) => matchOne(p, f));
  if (matched.length > 0) return matched;
  return policies.filter((p) => p.match.length === 0).map((policy) => ({ policy, partition: '' }));
}

/** Whether an answer from `provider`/`models` (request and response model) is one a match stands for. */
export function answeredBy(m: Pick<MatchedPolicy, 'provider' | 'model'>, provider: string, models: ReadonlyArray<string | null>): boolean {
  const wanted = m.model;
  if (m.provider && !m.provider.includes(provider)) return false;
  return !wanted || models.some((x) => x !== null && wanted.includes(x));
}
