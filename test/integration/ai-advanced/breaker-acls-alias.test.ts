/**
 * ai-proxy-advanced's Kong 3.13/3.14 fields through `aigw serve` against `aigw mock`: the circuit
 * breaker (balancer.max_fails / fail_timeout), the model ACLs (acls.allow/deny[].match[]),
 * model_alias and targets[].metadata. On a build without them the gateway refuses to start
 * (gateway/not-served.ts), so every test here fails there.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { fakeClock } from '../../helpers/clock.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { KEY, logFor, postJson } from '../ai-proxy/setup.js';

const AUTH = `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`;
const openai = (url: string, name: string, extra = '', model = ''): string =>
  `{ route_type: llm/v1/chat, auth: ${AUTH}, logging: { log_statistics: true }, model: { provider: openai, name: ${name}${model}, options: { upstream_url: "${url}/v1/chat/completions" } }${extra} }`;

function route(name: string, targets: string[], rest: string, plugins = ''): string {
  return `
  - name: ${name}
    paths: [/${name}]
    plugins:${plugins}
    - name: ai-proxy-advanced
      config:
${rest}
        targets:
${targets.map((t) => `        - ${t}`).join('\n')}`;
}

const ask = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ messages: [{ role: 'user', content: 'hello' }], ...extra });
const CRITERIA = '[error, timeout, http_500, non_idempotent]';
const KEY_AUTH = `
    - name: key-auth
      config: { key_names: [apikey] }`;

describe('ai-proxy-advanced: circuit breaker, model ACLs, model_alias, metadata', () => {
  // the breaker counts failures within fail_timeout and keeps a target out for it: on the wall clock
  // a loaded machine could spread the requests over more than that, so the gateway runs on a fake clock
  const clock = fakeClock();
  let healthy: MockServer;
  let failing: MockServer;
  let gw: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-adv-cb-')), 'ai.log');
  const acls = `        acls:
          allow:
          - match: [{ type: consumer_group, values: [gold] }]
          - match: [{ type: model, values: [gpt-4o-mini] }]
          deny:
          - match: [{ type: consumer, key: username, values: [mallory] }]`;

  beforeAll(async () => {
    healthy = await startMock({ requireKey: KEY });
    failing = await startMock({ requireKey: KEY, failRate: 1 });
    const h = healthy.url;
    const f = failing.url;
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
consumer_groups: [{ name: gold }]
consumers:
- { username: alice, groups: [{ name: gold }], keyauth_credentials: [{ key: alice-key }] }
- { username: bob, keyauth_credentials: [{ key: bob-key }] }
- { username: mallory, groups: [{ name: gold }], keyauth_credentials: [{ key: mallory-key }] }
services:
- name: llm
  url: http://localhost:32000
  routes:${route('cb', [openai(f, 'broken'), openai(h, 'gpt-4o')], `        balancer: { algorithm: round-robin, max_fails: 2, fail_timeout: 3000, failover_criteria: ${CRITERIA} }`)}${
  route('cbprio', [openai(f, 'broken', ', weight: 100'), openai(h, 'gpt-4o', ', weight: 10')], `        balancer: { algorithm: priority, max_fails: 1, fail_timeout: 60000, failover_criteria: ${CRITERIA} }`)}${
  route('cball', [openai(f, 'a'), openai(f, 'b')], `        balancer: { max_fails: 1, fail_timeout: 60000, failover_criteria: ${CRITERIA} }`)}${
  route('nocb', [openai(f, 'broken', ', weight: 100'), openai(h, 'gpt-4o', ', weight: 10')], `        balancer: { algorithm: priority, failover_criteria: ${CRITERIA} }`)}${
  route('acl', [openai(h, 'gpt-4o'), openai(h, 'gpt-4o-mini')], `        balancer: { algorithm: round-robin }\n${acls}`, KEY_AUTH)}${
  route('alias', [
    openai(h, 'gpt-4o', ', metadata: { team: research, tier: 1 }', ', model_alias: powerful'),
    openai(h, 'gpt-4o-mini', '', ', model_alias: fast'),
    openai(h, 'gpt-4o-mini-2', '', ', model_alias: fast'),
  ], '        balancer: { algorithm: round-robin }')}
  - name: single
    paths: [/single]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: ${AUTH}
        model: { provider: openai, name: gpt-4o, model_alias: powerful, options: { upstream_url: "${h}/v1/chat/completions" } }
`, { now: clock.now });
  });
  afterAll(async () => {
    await gw.close(100);
    await Promise.all([healthy.close(), failing.close()]);
  });

  it('takes a failing target out after max_fails failures, then reconsiders it after fail_timeout', async () => {
    failing.reset();
    const targets: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await postJson(`${gw.proxyUrl}/cb`, ask());
      expect(r.status, r.text).toBe(200);
      targets.push(String(r.headers['x-aigw-target']));
    }
    expect(targets.every((t) => t === 'openai/gpt-4o')).toBe(true);
    // round-robin tried the broken target on two requests (each failed over), then never again
    expect(failing.requests()).toHaveLength(2);
    clock.advance(2999);
    for (let i = 0; i < 2; i++) expect((await postJson(`${gw.proxyUrl}/cb`, ask())).status).toBe(200);
    expect(failing.requests()).toHaveLength(2); // still out, 1 ms before fail_timeout
    clock.advance(1);
    for (let i = 0; i < 4; i++) expect((await postJson(`${gw.proxyUrl}/cb`, ask())).status).toBe(200);
    // reconsidered once, failed again: out for another fail_timeout
    expect(failing.requests()).toHaveLength(3);
  });

  it('with priority, the open breaker sends requests straight to the fallback (one attempt)', async () => {
    const first = await postJson(`${gw.proxyUrl}/cbprio`, ask());
    expect(first.status).toBe(200);
    expect(first.headers['x-aigw-attempts']).toBe('2');
    const second = await postJson(`${gw.proxyUrl}/cbprio`, ask());
    expect(second.status).toBe(200);
    expect(second.headers['x-aigw-attempts']).toBe('1');
    expect(second.headers['x-aigw-target']).toBe('openai/gpt-4o');
    const rec = await logFor(logPath, String(second.headers['x-kong-request-id']));
    expect(rec.ai?.proxy?.balancer).toMatchObject({ attempts: 1, tries: [{ target: 'openai/gpt-4o', status: 200 }] });
  });

  it('without max_fails (0) the failing target is tried on every request', async () => {
    for (let i = 0; i < 2; i++) expect((await postJson(`${gw.proxyUrl}/nocb`, ask())).headers['x-aigw-attempts']).toBe('2');
  });

  it('answers 500 without calling anyone when every target is out', async () => {
    const first = await postJson(`${gw.proxyUrl}/cball`, ask());
    expect(first.status).toBe(500);
    expect(first.headers['x-aigw-attempts']).toBe('2');
    const before = failing.requests().length;
    const r = await postJson(`${gw.proxyUrl}/cball`, ask());
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toEqual({ error: { message: 'all LLM targets are unavailable (circuit breaker open)' } });
    expect(failing.requests().length).toBe(before);
  });

  it('ACLs: a gold consumer may use every target; another consumer only the model allowed to all', async () => {
    const alice = new Set<string>();
    const bob = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const a = await postJson(`${gw.proxyUrl}/acl`, ask(), { apikey: 'alice-key' });
      expect(a.status, a.text).toBe(200);
      alice.add(String(a.headers['x-aigw-target']));
      const b = await postJson(`${gw.proxyUrl}/acl`, ask(), { apikey: 'bob-key' });
      expect(b.status, b.text).toBe(200);
      bob.add(String(b.headers['x-aigw-target']));
    }
    expect([...alice].sort()).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect([...bob]).toEqual(['openai/gpt-4o-mini']);
  });

  it('ACLs: a denied consumer gets 403 and no upstream is called', async () => {
    const before = healthy.requests().length;
    const r = await postJson(`${gw.proxyUrl}/acl`, ask(), { apikey: 'mallory-key' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toEqual({ error: { message: 'access to the requested model is not allowed' } });
    expect(healthy.requests().length).toBe(before);
  });

  it('model_alias: the client asks for the alias, the target model goes upstream; the log names both, with the metadata', async () => {
    healthy.reset();
    const r = await postJson(`${gw.proxyUrl}/alias`, ask({ model: 'powerful' }));
    expect(r.status, r.text).toBe(200);
    expect(r.headers['x-aigw-target']).toBe('openai/gpt-4o');
    expect(healthy.requests().map((q) => (q.body as { model: string }).model)).toEqual(['gpt-4o']);
    const rec = await logFor(logPath, String(r.headers['x-kong-request-id']));
    expect(rec.ai?.proxy?.meta).toMatchObject({ request_model: 'gpt-4o' });
    expect(rec.ai?.proxy?.balancer).toMatchObject({ model_alias: 'powerful', metadata: { team: 'research', tier: 1 } });
  });

  it('model_alias: targets sharing an alias are balanced among themselves only', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const r = await postJson(`${gw.proxyUrl}/alias`, ask({ model: 'fast' }));
      expect(r.status, r.text).toBe(200);
      seen.add(String(r.headers['x-aigw-target']));
    }
    expect([...seen].sort()).toEqual(['openai/gpt-4o-mini', 'openai/gpt-4o-mini-2']);
  });

  it('model_alias: a model that is no alias is refused with 400', async () => {
    const r = await postJson(`${gw.proxyUrl}/alias`, ask({ model: 'gpt-4o' }));
    expect(r.status).toBe(400);
    expect(r.text).toContain("model 'gpt-4o' is not one of this route's model aliases (powerful, fast)");
  });

  it('ai-proxy model_alias: the client may name the alias (the configured model goes upstream); another model is Kong\'s 400', async () => {
    healthy.reset();
    const r = await postJson(`${gw.proxyUrl}/single`, ask({ model: 'powerful' }));
    expect(r.status, r.text).toBe(200);
    expect(healthy.requests().map((q) => (q.body as { model: string }).model)).toEqual(['gpt-4o']);
    const other = await postJson(`${gw.proxyUrl}/single`, ask({ model: 'gpt-3.5' }));
    expect(other.status).toBe(400);
    expect(other.text).toContain('cannot use own model - must be: gpt-4o');
  });
});
