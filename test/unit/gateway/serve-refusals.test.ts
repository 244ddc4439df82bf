/**
 * Database mode (tolerant builds): an entity holding a field aigw serve refuses is left out, fail
 * closed, and reported, instead of freezing the control plane; declarative builds refuse it whole.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { stateFrom } from '../../helpers/gateway.js';

const deps = () => ({ logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) });

describe('refused fields in a tolerant build', () => {
  it('a route that sets snis is not routed, a service with a client CA list and the services of a refused upstream are served disabled', async () => {
    const state = await stateFrom(`_format_version: "3.0"
services:
- name: ok
  url: http://127.0.0.1:1
  routes:
  - { name: fine, paths: [/fine] }
  - { name: sni, paths: [/sni], snis: [a.example.com] }
- name: cas
  url: https://127.0.0.1:1
  ca_certificates: [0a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d]
  routes:
  - { name: via-cas, paths: [/cas] }
- name: pooled
  host: pool
  routes:
  - { name: via-pool, paths: [/pool] }
upstreams:
- name: pool
  healthchecks: { active: { unhealthy: { interval: 3 } } }
`);
    expect(() => buildRuntime(state, deps())).toThrowError(/route 'sni' \([0-9a-f-]+\): snis is set, and aigw serve does not run it/);
    const rt = buildRuntime(state, { ...deps(), tolerant: true });
    expect(rt.broken.map((b) => `${b.kind} ${b.name}`)).toEqual(['routes sni', 'services cas', 'upstreams pool']);
    const match = (path: string) => rt.router.match({ method: 'GET', path, host: 'localhost', headers: {}, protocol: 'http' } as never)?.route.id ?? null;
    expect(match('/fine')).not.toBeNull();
    expect(match('/sni')).toBeNull();
    expect(match('/cas')).toBeNull();
    expect(match('/pool')).toBeNull();
  });
});
