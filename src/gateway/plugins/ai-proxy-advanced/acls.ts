/**
 * Model ACLs of ai-proxy-advanced (`config.acls`, Kong 3.14): which requests may use which targets.
 * Kong's rules (schema and 3.14.0.0 changelog): a request matching a deny rule is blocked; when
 * allow rules are present, the request must match one of them; deny wins over allow. A rule
 * matches when all its `match[]` conditions hold; a condition holds when the request's attribute
 * equals one of its `values`.
 *
 * aigw evaluates the rules per target, so `model` and `provider` conditions decide which targets a
 * request may use; the request-level conditions (consumer, consumer_group, header, ip, path) give
 * the same answer for every target. A request that may use no target is refused with 403.
 *
 *   consumer        key `id` or `username` (no key: either)
 *   consumer_group  key `id` or `name` (no key: either); any group of the consumer
 *   header          key = the header name
 *   ip              values are addresses or CIDR ranges (IPv4, IPv6)
 *   path            the request path, exactly
 *   model           the model the target sends upstream, or the model the client asked for (an alias)
 *   provider        the target's provider
 */
import type { BlockList } from 'node:net';
import { isIP } from 'node:net';
import { blockList } from '../ip-restriction/index.js';

type Json = Record<string, unknown>;

export interface AclCondition {
  type: 'consumer' | 'consumer_group' | 'header' | 'ip' | 'model' | 'path' | 'provider';
  key: string | null;
  values: readonly string[];
  /** `ip` conditions: the values compiled. */
  ips?: BlockList;
}

export interface AclRule { match: readonly AclCondition[] }

export interface ModelAcls { allow: readonly AclRule[]; deny: readonly AclRule[] }

/** What the conditions look at: the request's attributes, and the target's. */
export interface AclSubject {
  consumer: { id: string; username: string | null } | null;
  groups: { ids: readonly string[]; names: readonly string[] };
  header(name: string): string | undefined;
  ip: string;
  path: string;
  /** The target's upstream model and the client's requested model. */
  models: readonly string[];
  provider: string;
}

function parseCondition(c: Json): AclCondition {
  const cond: AclCondition = {
    type: c.type as AclCondition['type'],
    key: typeof c.key === 'string' && c.key !== '' ? c.key : null,
    values: Array.isArray(c.values) ? c.values.filter((v): v is string => typeof v === 'string') : [],
  };
  if (cond.type === 'ip') cond.ips = blockList(cond.values);
  if (cond.type === 'header' && cond.key === null) throw new Error("ai-proxy-advanced: an acls 'header' condition needs 'key' (the header name)");
  return cond;
}

const rules = (v: unknown): AclRule[] => (Array.isArray(v) ? v : []).map((r: Json) => ({
  match: (Array.isArray(r.match) ? r.match : []).map((c: Json) => parseCondition(c)),
}));

/** Narrows `config.acls`; null when absent or empty (no restriction). Throws on a bad ip value. */
export function parseAcls(v: unknown): ModelAcls | null {
  if (v === null || typeof v !== 'object') return null;
  const o = v as Json;
  const acls = { allow: rules(o.allow), deny: rules(o.deny) };
  return acls.allow.length === 0 && acls.deny.length === 0 ? null : acls;
}

function either(key: string | null, byKey: Record<string, readonly string[]>, values: readonly string[]): boolean {
  const seen = key !== null && key in byKey ? byKey[key] : Object.values(byKey).flat();
  return seen.some((s) => values.includes(s));
}

function holds(c: AclCondition, s: AclSubject): boolean {
  switch (c.type) {
    case 'consumer': {
      if (s.consumer === null) return false;
      return either(c.key, { id: [s.consumer.id], username: s.consumer.username === null ? [] : [s.consumer.username] }, c.values);
    }
    case 'consumer_group': return either(c.key, { id: s.groups.ids, name: s.groups.names }, c.values);
    case 'header': {
      const v = s.header((c.key ?? '').toLowerCase());
      return v !== undefined && c.values.includes(v);
    }
    case 'ip': return isIP(s.ip) !== 0 && c.ips !== undefined && c.ips.check(s.ip, isIP(s.ip) === 6 ? 'ipv6' : 'ipv4');
    case 'path': return c.values.includes(s.path);
    case 'model': return s.models.some((m) => c.values.includes(m));
    case 'provider': return c.values.includes(s.provider);
  }
}

const matches = (r: AclRule, s: AclSubject): boolean => r.match.every((c) => holds(c, s));

/** Whether the subject (a request on one target) is permitted. */
export function permitted(acls: ModelAcls, s: AclSubject): boolean {
  if (acls.deny.some((r) => matches(r, s))) return false;
  return acls.allow.length === 0 || acls.allow.some((r) => matches(r, s));
}
