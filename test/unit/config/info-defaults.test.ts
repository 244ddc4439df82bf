/**
 * decK's `_info.defaults`: default field values of the file's services, routes, upstreams and
 * targets. They are checked against the entity schemas, and a default `aigw serve` refuses (an
 * `x-aigw-unsupported` field) is reported as the same field written on the entity is — once, at
 * the default, naming the entities that take it — since serve refuses each of those entities.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { PluginStores } from '../../../src/gateway/stores.js';

const load = (text: string) => loadText(text, { env: {}, name: 'kong.yaml' });
const lines = (text: string): string[] => load(text).issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.code} ${i.message}`);

const FILE = `_format_version: "3.0"
_info:
  defaults:
    route:
      protocols: [https]
      snis: [api.example.com]
    service:
      tls_verify_depth: 3
    upstream:
      healthchecks: { active: { healthy: { interval: 5 } } }
services:
- name: a
  url: https://127.0.0.1:9
  routes:
  - { name: r1, paths: [/1] }
  - { name: r2, paths: [/2] }
  - { name: r3, paths: [/3], snis: [] }
  - { name: r4, paths: [/4] }
  - { name: r5, paths: [/5] }
upstreams:
- name: pool
`;

describe('_info.defaults', () => {
  it('a refused default is reported once, at the default, naming the entities that take it', () => {
    const snis = "6:7 warning AIGW_UNSUPPORTED 'snis' is accepted for Kong compatibility but aigw serve refuses it: aigw serve has no TLS listener and routes HTTP requests only: "
      + "it cannot match an HTTP route on it, and a route that ignored it would match more than it says (_info.defaults.route.snis, taken by route 'r1', route 'r2', route 'r4' and 1 more)";
    const depth = "8:7 warning AIGW_UNSUPPORTED 'tls_verify_depth' is accepted for Kong compatibility but aigw serve refuses it: aigw serve verifies upstream TLS against the system CA store "
      + "(tls_verify) only: no client certificate, CA list or verify depth (_info.defaults.service.tls_verify_depth, taken by service 'a')";
    const got = lines(FILE);
    expect(got).toContain(snis);
    expect(got).toContain(depth);
    expect(got.filter((l) => l.includes('healthchecks'))).toEqual([
      expect.stringMatching(/^10:\d+ warning AIGW_UNSUPPORTED 'interval' is accepted for Kong compatibility but aigw serve refuses it: active health checks .*\(_info\.defaults\.upstream\.healthchecks, taken by upstream 'pool'\)$/),
    ]);
    expect(got).toHaveLength(3);
  });

  it('aigw serve refuses each entity that takes it, as validate said', () => {
    const state = load(FILE).state!;
    const deps = { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) };
    const rt = buildRuntime(state, { ...deps, tolerant: true });
    expect(rt.broken.map((b) => `${b.kind} ${b.name}: ${b.message.split(',')[0]}`).sort()).toEqual([
      'routes r1: snis is set', 'routes r2: snis is set', 'routes r4: snis is set', 'routes r5: snis is set',
      'services a: tls_verify_depth is set', 'upstreams pool: healthchecks.active.healthy.interval is set',
    ]);
  });

  it('a default every entity overrides is not reported; the same field written on the entity is reported there', () => {
    const text = FILE.replace(/ {2}routes:[\s\S]*upstreams:\n- name: pool\n/, '  routes:\n  - { name: own, paths: [/o], snis: [b.example.com] }\n');
    const got = lines(text.replace(/ {4}service:\n {6}tls_verify_depth: 3\n {4}upstream:\n.*\n/, ''));
    expect(got).toEqual([expect.stringMatching(/^11:31 warning AIGW_UNSUPPORTED 'snis' is accepted for Kong compatibility but aigw serve refuses it: .*says$/)]);
  });

  it('default values are checked against the entity schema', () => {
    expect(lines('_format_version: "3.0"\n_info:\n  defaults:\n    route:\n      protocols: [htp]\n    service:\n      retries: -1\n')).toEqual([
      '5:19 error AIGW_VALUE expected one of: http, https, grpc, grpcs, tcp, tls, tls_passthrough, udp, ws, wss',
      '7:16 error AIGW_VALUE value should be between 0 and 32767',
    ]);
  });
});
