/**
 * Kong's dynamic plugin ordering (its default, `legacy` algorithm) on the access phase: the walk in
 * priority order that places every plugin's dependencies first, before/after as the same edge,
 * rules naming absent plugins, cycles with Kong's message; and Kong's tie-break by name.
 */
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/config/state.js';
import { CYCLE_MESSAGE, orderForAccess, type ChainEntry } from '../../../src/gateway/plugin-chains.js';
import { gatewayFrom } from '../../helpers/gateway.js';

type Rule = { before?: string[]; after?: string[] };

/** Entries in the order given (highest priority first), each with its rule. */
function order(plugins: Array<[string, Rule?]>): string[] | { cycle: string[] } {
  const entries: ChainEntry[] = plugins.map(([name], i) => ({ name, priority: 10_000 - i, base: null, byConsumer: null }));
  const rules = new Map<ChainEntry, Entity | undefined>();
  plugins.forEach(([name, rule], i) => {
    if (rule) rules.set(entries[i], { id: name, name, ordering: { before: rule.before ? { access: rule.before } : null, after: rule.after ? { access: rule.after } : null } } as Entity);
  });
  const out = orderForAccess(entries, rules);
  return Array.isArray(out) ? out.map((e) => e.name) : out;
}

describe('dynamic plugin ordering (legacy algorithm)', () => {
  it('without rules, keeps the priority order', () => {
    expect(order([['a'], ['b'], ['c']])).toEqual(['a', 'b', 'c']);
  });

  it('a lower-priority plugin with before: runs ahead of the one it names', () => {
    expect(order([['key-auth'], ['rate-limiting', { before: ['key-auth'] }]])).toEqual(['rate-limiting', 'key-auth']);
  });

  it('before and after make the same edge, whichever plugin carries it', () => {
    const natural: Array<[string, Rule?]> = [['key-auth'], ['ldap-auth'], ['header-cert-auth'], ['response-transformer'], ['ai-proxy']];
    const viaBefore = order(natural.map(([n]) => [n, n === 'response-transformer' ? { before: ['ldap-auth'] } : undefined]));
    const viaAfter = order(natural.map(([n]) => [n, n === 'ldap-auth' ? { after: ['response-transformer'] } : undefined]));
    expect(viaBefore).toEqual(['key-auth', 'response-transformer', 'ldap-auth', 'header-cert-auth', 'ai-proxy']);
    expect(viaAfter).toEqual(viaBefore);
  });

  it('places a whole dependency chain ahead of the plugin that needs it, moving plugins no rule names', () => {
    // pre-function (highest) after opentelemetry (lowest): request-callout, in between, ends last
    expect(order([['pre-function', { after: ['opentelemetry'] }], ['request-callout'], ['opentelemetry']])).toEqual(['opentelemetry', 'pre-function', 'request-callout']);
    expect(order([
      ['openid-connect', { after: ['ip-restriction'], before: ['request-transformer'] }],
      ['ip-restriction', { before: ['openid-connect'] }],
      ['request-size-limiting', { before: ['ip-restriction'] }],
      ['rate-limiting', { before: ['request-size-limiting'] }],
      ['jq', { after: ['request-transformer'] }],
      ['request-transformer'],
    ])).toEqual(['rate-limiting', 'request-size-limiting', 'ip-restriction', 'openid-connect', 'request-transformer', 'jq']);
    expect(order([
      ['openid-connect', { before: ['custom'] }],
      ['request-validator', { after: ['openid-connect', 'custom'] }],
      ['request-size-limiting'],
      ['custom'],
    ])).toEqual(['openid-connect', 'custom', 'request-validator', 'request-size-limiting']);
  });

  it('ignores rules naming plugins that are not on the request', () => {
    expect(order([['a', { after: ['not-here'] }], ['b', { before: ['also-absent'] }]])).toEqual(['a', 'b']);
  });

  it('a cycle is an error with Kong\'s message, naming the plugins', () => {
    expect(order([['openid-connect', { before: ['custom'] }], ['custom', { before: ['openid-connect'] }]])).toEqual({ cycle: ['openid-connect', 'custom', 'openid-connect'] });
    expect(order([['a', { before: ['a'] }]])).toEqual({ cycle: ['a', 'a'] });
    expect(CYCLE_MESSAGE).toBe('There is a circular dependency in the graph. It is not possible to derive a topological sort.');
  });
});

describe('the chain a route runs', () => {
  it('breaks a tie of priorities by plugin name, descending (Kong), and orders only the access phase', async () => {
    const gw = await gatewayFrom(`_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:1
  routes:
  - name: r
    paths: [/r]
    plugins:
    - name: rate-limiting
      config: { minute: 100, policy: local }
    - name: rate-limiting-advanced
      config: { limit: [100], window_size: [60], strategy: local }
    - name: key-auth
    - name: request-termination
      config: { status_code: 418 }
      ordering: { before: { access: [key-auth] } }
`);
    try {
      const chain = gw.runtime().chains.get(gw.runtime().router.routes[0].id);
      expect(chain?.entries.map((e) => e.name)).toEqual(['key-auth', 'rate-limiting-advanced', 'rate-limiting', 'request-termination']);
      expect(chain?.access.map((e) => e.name)).toEqual(['request-termination', 'key-auth', 'rate-limiting-advanced', 'rate-limiting']);
    } finally {
      await gw.close();
    }
  });
});
