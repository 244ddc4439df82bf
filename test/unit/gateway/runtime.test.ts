import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import type { Plugin } from '../../../src/gateway/plugin.js';
import { buildRuntime, instanceFor } from '../../../src/gateway/runtime.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { vaultResolver } from '../../../src/gateway/vault.js';
import { stateFrom } from '../../helpers/gateway.js';

/** A plugin whose instances carry their config's `tag`, to see which one was resolved. */
const tagged: Plugin<Record<string, unknown>> = {
  name: 'rate-limiting',
  priority: 910,
  create: (config) => Object.assign({ access: () => undefined }, { tag: String(config.error_message) }),
};
const tag = (x: unknown): string | undefined => (x as { tag?: string } | null)?.tag;

const yaml = `
_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:1
  routes:
  - name: r
    paths: [/r]
  - name: other
    paths: [/o]
consumers:
- username: alice
- username: bob
plugins:
- { name: rate-limiting, config: { minute: 1, error_message: global } }
- { name: rate-limiting, service: s, config: { minute: 1, error_message: service } }
- { name: rate-limiting, route: r, config: { minute: 1, error_message: route } }
- { name: rate-limiting, consumer: alice, config: { minute: 1, error_message: consumer } }
- { name: rate-limiting, consumer: bob, route: r, config: { minute: 1, error_message: consumer+route } }
- { name: rate-limiting, route: r, service: s, config: { minute: 1, error_message: route+service } }
`;

/** The rate-limiting chain entries of routes `r` and `other`, and a consumer's id by username, with the tagged plugin. */
function scoped(state: Awaited<ReturnType<typeof stateFrom>>) {
  const rt = buildRuntime(state, { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }), plugins: new Map([['rate-limiting', tagged as Plugin<never>]]) });
  const entry = (name: string) => rt.chains.get(state.entities.routes.find((r) => r.name === name)?.id as string)?.entries[0];
  const onR = entry('r');
  const onOther = entry('other');
  if (!onR || !onOther) throw new Error('missing chain');
  const consumer = (name: string) => state.entities.consumers.find((c) => c.username === name)?.id as string;
  return { rt, onR, onOther, consumer };
}

describe('runtime: plugin scoping precedence', () => {
  it('resolves consumer+route > route+service > consumer > route > service > global', async () => {
    const state = await stateFrom(yaml);
    const { rt, onR, onOther, consumer } = scoped(state);
    expect(tag(instanceFor(onR, null))).toBe('route+service');
    expect(tag(instanceFor(onR, consumer('bob')))).toBe('consumer+route');
    expect(tag(instanceFor(onR, consumer('alice')))).toBe('route+service');
    expect(tag(instanceFor(onOther, null))).toBe('service');
    expect(tag(instanceFor(onOther, consumer('alice')))).toBe('consumer');
    expect(tag(instanceFor(rt.globalChain.entries[0], null))).toBe('global');
  });

  it('runs a consumer-group plugin for members only: group+route > route > group > global, consumer > group', async () => {
    const state = await stateFrom(`
_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:1
  routes:
  - { name: r, paths: [/r] }
  - { name: other, paths: [/o] }
consumer_groups:
- name: gold
  plugins:
  - { name: rate-limiting, config: { minute: 1, error_message: group } }
- name: silver
consumers:
- { username: alice, groups: [{ name: gold }] }
- { username: bob, groups: [{ name: silver }] }
- { username: carol, groups: [{ name: gold }] }
plugins:
- { name: rate-limiting, config: { minute: 1, error_message: global } }
- { name: rate-limiting, route: r, config: { minute: 1, error_message: route } }
- { name: rate-limiting, route: r, consumer_group: gold, config: { minute: 1, error_message: group+route } }
- { name: rate-limiting, consumer: carol, config: { minute: 1, error_message: consumer } }
`);
    const { rt, onR, onOther, consumer } = scoped(state);
    expect(tag(instanceFor(onR, null))).toBe('route');
    expect(tag(instanceFor(onR, consumer('alice')))).toBe('group+route');
    expect(tag(instanceFor(onR, consumer('bob')))).toBe('route');
    expect(tag(instanceFor(onOther, null))).toBe('global');
    expect(tag(instanceFor(onOther, consumer('alice')))).toBe('group');
    expect(tag(instanceFor(onOther, consumer('bob')))).toBe('global');
    expect(tag(instanceFor(onOther, consumer('carol')))).toBe('consumer');
    expect(tag(instanceFor(rt.globalChain.entries[0], null))).toBe('global');
  });

  it('orders chains by descending priority', async () => {
    const state = await stateFrom(`
_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:1
  routes:
  - name: r
    paths: [/r]
    plugins:
    - name: prometheus
    - name: acl
      config: { allow: [a] }
    - name: cors
    - name: key-auth
`);
    const rt = buildRuntime(state, { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) });
    expect(rt.chains.get(state.entities.routes[0].id)?.entries.map((e) => e.name)).toEqual(['cors', 'key-auth', 'acl', 'prometheus']);
  });

  it('refuses a plugin aigw serve does not implement (never skipped silently: it may guard the route)', async () => {
    const state = await stateFrom(`
_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:1
  routes:
  - name: r
    paths: [/r]
    plugins:
    - name: saml
      config: { idp_sso_url: "https://idp.example/sso" }
`);
    const deps = { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) };
    expect(() => buildRuntime(state, deps)).toThrowError(/plugin 'saml' .*aigw serve does not implement this plugin/);
    // database mode: left out fail closed and reported, the rest still builds
    const rt = buildRuntime(state, { ...deps, tolerant: true });
    expect(rt.broken.map((b) => b.kind)).toEqual(['plugins']);
    expect(rt.chains.get(state.entities.routes[0].id)?.entries.map((e) => e.name)).toEqual(['saml']);
  });

  it('fails to build with AIGW_SERVE when a vault reference cannot be resolved', async () => {
    const state = await stateFrom(`
_format_version: "3.0"
plugins:
- name: http-log
  config: { http_endpoint: "http://127.0.0.1:1/", headers: { x-token: "{vault://env/missing-var}" } }
`);
    expect(() => buildRuntime(state, { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) })).toThrowError(
      /environment variable MISSING_VAR is not set/,
    );
  });
});

describe('vault references', () => {
  it('resolves env names upper-cased with - → _, and /key from JSON values', async () => {
    const state = await stateFrom('_format_version: "3.0"\n');
    const v = vaultResolver(state, { MY_KEY: 'k1', JSON_SECRET: '{"user":"u1"}' });
    expect(v.resolve({ a: '{vault://env/my-key}', b: ['{vault://env/json-secret/user}'], c: 'plain {vault://env/my-key}' })).toEqual({ a: 'k1', b: ['u1'], c: 'plain {vault://env/my-key}' });
    expect(() => v.resolve('{vault://aws/x}')).toThrowError(/vault 'aws' is not configured/);
  });

  it('resolves references only in referenceable fields, and refuses one anywhere else (issue 10, defect 4)', async () => {
    const state = await stateFrom('_format_version: "3.0"\n');
    const v = vaultResolver(state, { AIGW_ADMIN_TOKEN: 'admin-secret', OPENAI_KEY: 'sk-1' });
    const auth = { header_name: 'Authorization', header_value: '{vault://env/openai-key}' };
    expect(v.pluginConfig('http-log', { headers: { 'x-token': '{vault://env/openai-key}' } })).toEqual({ headers: { 'x-token': 'sk-1' } });
    expect(() => v.pluginConfig('cors', { exposed_headers: ['x-id', '{vault://env/aigw-admin-token}'] })).toThrowError(/config\.exposed_headers\.1: 'exposed_headers' is not a referenceable field/);
    expect(() => v.pluginConfig('ai-proxy', { auth, model: { name: '{vault://env/openai-key}' } })).toThrowError(/config\.model\.name/);
    expect(v.pluginConfig('ai-proxy', { auth })).toEqual({ auth: { header_name: 'Authorization', header_value: 'sk-1' } });
    // an unknown plugin has no referenceable field
    expect(() => v.pluginConfig('no-such-plugin', { a: '{vault://env/openai-key}' })).toThrowError(/not a referenceable field/);
  });
});
