// Incremental runtime builds (runtime-reuse.ts): a build that takes over the parts of the runtime
// it replaces gives the runtime a full build gives, for a set of edits; and it does reuse what the
// edit did not touch. Unchanged entities keep their objects, as the configuration thread does it.
import { isDeepStrictEqual } from 'node:util';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Entity, State } from '../../../src/config/state.js';
import { deepFreeze } from '../../../src/config/state.js';
import { KINDS } from '../../../src/config/kinds.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import type { PluginInstance } from '../../../src/gateway/plugin.js';
import { buildRuntime, type Chain, type Runtime, type RuntimeDeps } from '../../../src/gateway/runtime.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { stateFrom } from '../../helpers/gateway.js';

const env = { AIGW_TEST_KEY: 'sk-from-env' };
const base = `
_format_version: "3.0"
services:
- name: s1
  url: http://127.0.0.1:1
  tags: [t1]
  routes:
  - name: r1
    paths: [/r1]
    plugins:
    - { name: key-auth }
    - { name: rate-limiting, config: { minute: 10, policy: local } }
  - name: r2
    paths: ["~/r2/(?<id>\\\\d+)$"]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "{vault://env/aigw-test-key}" }
        model: { provider: openai, name: gpt-4o }
    - { name: rate-limiting-advanced, config: { limit: [5], window_size: [60], strategy: local } }
- name: s2
  url: http://127.0.0.1:2
  routes:
  - name: r3
    paths: [/r3]
    plugins:
    - { name: cors, config: { origins: ["https://a.example"] } }
consumers:
- username: alice
  keyauth_credentials: [{ key: alice-key }]
- username: bob
  keyauth_credentials: [{ key: bob-key }]
  plugins:
  - { name: rate-limiting, config: { minute: 3, policy: local } }
plugins:
- { name: correlation-id }
`;

const edits: Record<string, (t: string) => string> = {
  'nothing': (t) => t,
  'a service tag': (t) => t.replace('tags: [t1]', 'tags: [t2]'),
  'a plugin config': (t) => t.replace('minute: 10', 'minute: 11'),
  'a service disabled': (t) => t.replace('- name: s2\n', '- name: s2\n  enabled: false\n'),
  'a route added': (t) => t.replace('consumers:', '  - { name: r4, paths: [/r4] }\nconsumers:'),
  'a route path': (t) => t.replace('paths: [/r3]', 'paths: [/r3b]'),
  'a plugin removed': (t) => t.replace('    - { name: cors, config: { origins: ["https://a.example"] } }\n', ''),
  'a global plugin added': (t) => t.replace('- { name: correlation-id }', '- { name: correlation-id }\n- { name: request-size-limiting }'),
  'a credential': (t) => t.replace('bob-key', 'bob-key-2'),
  'a consumer removed': (t) => t.replace('- username: alice\n  keyauth_credentials: [{ key: alice-key }]\n', ''),
};

/** `next` with every entity equal to one of `prev` (kind and id) replaced by prev's object, as the thread does. */
function sharing(prev: State, next: State): State {
  const entities = {} as Record<string, Entity[]>;
  for (const k of KINDS) {
    const before = new Map(prev.entities[k.name].map((e) => [e.id, e]));
    entities[k.name] = next.entities[k.name].map((e) => {
      const old = before.get(e.id);
      return old !== undefined && isDeepStrictEqual(old, e) ? old : e;
    });
  }
  return deepFreeze({ ...next, entities }) as unknown as State;
}

/** Everything a runtime serves by, with plugin instances named by their entity's id. */
function described(rt: Runtime): unknown {
  const ids = new Map<PluginInstance, string>(rt.plugins.map((p) => [p.instance, p.entity.id]));
  const inst = (i: PluginInstance | null): string | null => (i === null ? null : (ids.get(i) ?? 'unknown'));
  const chain = (c: Chain): unknown => ({
    ...c,
    entries: c.entries.map((e) => ({ name: e.name, priority: e.priority, base: inst(e.base), byConsumer: [...(e.byConsumer ?? [])].map(([k, i]) => [k, inst(i)]) })),
    access: c.access.map((e) => e.name),
  });
  const probe = (method: string, path: string): unknown => {
    const m = rt.router.match({ method, host: 'localhost', path, headers: {} });
    return m === null ? null : { route: m.route.entity.id, stripped: m.strippedPath, captures: m.captures };
  };
  return {
    state: rt.state,
    routes: [...rt.routes].map(([id, r]) => [id, r.entity, r.name, r.inputFormat, r.aiModels, typeof r.conversations, typeof r.aiBody]),
    chains: [...rt.chains].map(([id, c]) => [id, chain(c)]),
    globalChain: chain(rt.globalChain),
    services: [...rt.services].map(([id, s]) => [id, s.enabled, s.info.entity]),
    matches: ['/r1', '/r2/42', '/r2/x', '/r3', '/r3b', '/r4', '/nope'].map((p) => probe('GET', p)),
    consumers: [...rt.consumers.byId.keys()],
    keys: [...rt.consumers.keyAuth].map(([k, c]) => [k, c.consumerId]),
    plugins: rt.plugins.map((p) => p.entity.id),
    storeKeys: [...rt.storeKeys].sort(),
    warnings: rt.warnings,
    pluginInstances: [...rt.pluginInstances].map(([id, p]) => [id, p.name, inst(p.instance)]),
    broken: rt.broken,
  };
}

describe('an incremental runtime build', () => {
  const deps: RuntimeDeps = { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env, llm: createLlmCaller({ env }) };

  for (const [name, edit] of Object.entries(edits)) {
    it(`gives the runtime a full build gives: ${name}`, async () => {
      const before = await stateFrom(base, env);
      const old = buildRuntime(before, deps);
      const after = sharing(before, await stateFrom(edit(base), env));
      const full = buildRuntime(after, { ...deps });
      const incremental = buildRuntime(after, deps, old);
      expect(described(incremental)).toEqual(described(full));
      expect(described(full)).not.toEqual(name === 'nothing' ? null : described(old));
    });
  }

  it('takes over what an edit did not touch, and only that', async () => {
    const before = await stateFrom(base, env);
    const old = buildRuntime(before, deps);
    const instance = (rt: Runtime, plugin: string, route: string | null): PluginInstance | undefined => {
      const routeId = route === null ? null : rt.state.entities.routes.find((r) => r.name === route)?.id;
      return rt.plugins.find((p) => p.entity.name === plugin && (p.entity.route as { id?: string } | null)?.id === (routeId ?? undefined))?.instance;
    };
    const tagged = buildRuntime(sharing(before, await stateFrom(edits['a service tag'](base), env)), deps, old);
    expect(tagged.router).toBe(old.router);
    expect(tagged.consumers).toBe(old.consumers);
    expect(instance(tagged, 'rate-limiting', 'r1')).toBe(instance(old, 'rate-limiting', 'r1'));
    // the ai-proxy's key comes from an env vault: resolved again, a new instance (so new chains)
    expect(instance(tagged, 'ai-proxy', 'r2')).not.toBe(instance(old, 'ai-proxy', 'r2'));
    const r1 = (rt: Runtime): Chain | undefined => rt.chains.get(rt.state.entities.routes.find((r) => r.name === 'r1')!.id);
    expect(r1(tagged)).not.toBe(r1(old));
    // without a vault reference every instance is taken over, and so are the chains
    const plain = base.replace('{vault://env/aigw-test-key}', 'Bearer sk-1');
    const plainBefore = await stateFrom(plain, env);
    const plainOld = buildRuntime(plainBefore, deps);
    const plainTagged = buildRuntime(sharing(plainBefore, await stateFrom(edits['a service tag'](plain), env)), deps, plainOld);
    expect(instance(plainTagged, 'ai-proxy', 'r2')).toBe(instance(plainOld, 'ai-proxy', 'r2'));
    expect(r1(plainTagged)).toBe(r1(plainOld));
    expect(plainTagged.globalChain).toBe(plainOld.globalChain);
    // the same routes and plugins as well: the previous maps and lists themselves (nothing copied on the main heap)
    expect(plainTagged.routes).toBe(plainOld.routes);
    expect(plainTagged.chains).toBe(plainOld.chains);
    expect(plainTagged.plugins).toBe(plainOld.plugins);
    expect(plainTagged.pluginInstances).toBe(plainOld.pluginInstances);
    const plainPath = buildRuntime(sharing(plainBefore, await stateFrom(edits['a route path'](plain), env)), deps, plainOld);
    expect(plainPath.routes).not.toBe(plainOld.routes);
    expect(plainPath.chains).not.toBe(plainOld.chains);
    expect(r1(plainPath)).toBe(r1(plainOld));
    expect(plainPath.pluginInstances).toBe(plainOld.pluginInstances);
    const config = buildRuntime(sharing(before, await stateFrom(edits['a plugin config'](base), env)), deps, old);
    expect(instance(config, 'rate-limiting', 'r1')).not.toBe(instance(old, 'rate-limiting', 'r1'));
    expect(instance(config, 'key-auth', 'r1')).toBe(instance(old, 'key-auth', 'r1'));
    expect(config.router).toBe(old.router);
    const credential = buildRuntime(sharing(before, await stateFrom(edits['a credential'](base), env)), deps, old);
    expect(credential.consumers).not.toBe(old.consumers);
    expect(instance(credential, 'key-auth', 'r1')).not.toBe(instance(old, 'key-auth', 'r1'));
    // other gateway dependencies, or a tolerant build: everything afresh
    const other = buildRuntime(before, { ...deps }, old);
    expect(instance(other, 'key-auth', 'r1')).not.toBe(instance(old, 'key-auth', 'r1'));
    const tolerant = { ...deps, tolerant: true };
    const t1 = buildRuntime(before, tolerant);
    expect(buildRuntime(before, tolerant, t1).router).not.toBe(t1.router);
  });

  it('a shared store a reused instance uses stays among the new runtime\'s store keys', async () => {
    const before = await stateFrom(base, env);
    const old = buildRuntime(before, deps);
    const shared = [...old.storeKeys].filter((k) => k.includes('#shared:'));
    expect(shared.length).toBeGreaterThan(0);
    const next = buildRuntime(sharing(before, await stateFrom(edits['a service tag'](base), env)), deps, old);
    for (const k of shared) expect(next.storeKeys.has(k)).toBe(true);
  });
});
