/**
 * decK state-file forms that aigw used to refuse (issue 11, "Every decK file accepted"): custom_id
 * and username as separate namespaces, fields on consumers[].groups[] items, consumer_groups[].consumers,
 * the `_info` keys skip_hash_for_basic_auth / consumer_group_policy_overrides, references resolved on
 * the gateway (default_lookup_tags, nested plugins naming another kind by id).
 */
import { describe, expect, it } from 'vitest';
import { loadText, type Issue } from '../../../src/config/index.js';
import type { ApplyTarget, GatewayEntities } from '../../../src/config/gateway-refs.js';
import { refId, type Entity } from '../../../src/config/state.js';

function load(text: string, gateway?: GatewayEntities) {
  return loadText(`_format_version: "3.0"\n${text}`, { env: {}, name: 'f.yaml', gateway });
}

const brief = (issues: readonly Issue[]) => issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.code} ${i.message}`);

function valid(text: string, gateway?: GatewayEntities) {
  const r = load(text, gateway);
  expect(brief(r.issues.filter((i) => i.severity === 'error'))).toEqual([]);
  return { state: r.state!, issues: r.issues };
}

const byName = (list: readonly Entity[], field: string, value: string) => list.find((e) => e[field] === value)!;

describe('consumers: custom_id and username are two namespaces', () => {
  const text = `consumers:
  - username: judy
  - custom_id: judy
  - username: ken
    custom_id: judy-ken
plugins:
  - name: rate-limiting
    consumer: judy
    config: {minute: 3, policy: local}
`;
  it('a custom_id equal to another consumer\'s username is another consumer, and `consumer: judy` names the username', () => {
    const { state } = valid(text);
    expect(state.entities.consumers).toHaveLength(3);
    const judy = byName(state.entities.consumers, 'username', 'judy');
    expect(byName(state.entities.consumers, 'custom_id', 'judy').id).not.toBe(judy.id);
    expect(refId(state.entities.plugins[0].consumer)).toBe(judy.id);
  });

  it('still refuses two consumers with the same custom_id, and a bare reference to a custom_id', () => {
    const dup = load('consumers:\n  - custom_id: x\n  - custom_id: x\n');
    expect(brief(dup.issues)).toEqual([expect.stringMatching(/^4:5 error AIGW_DUPLICATE consumer 'x' is defined more than once/)]);
    const ref = load('consumers:\n  - custom_id: only-custom\nplugins:\n  - name: rate-limiting\n    consumer: only-custom\n    config: {minute: 1, policy: local}\n');
    expect(brief(ref.issues)).toEqual(["6:15 error AIGW_REFERENCE consumer 'only-custom' referenced by plugin 'rate-limiting' (field 'consumer') does not exist"]);
  });
});

describe('consumer group memberships', () => {
  it('accepts the consumer-group fields decK writes on consumers[].groups[] items, and resolves by id then name', () => {
    const { state } = valid(`consumer_groups:
  - id: 3f0b8a52-8d52-4c1e-9a44-4c1f4c3f0a01
    name: silver
    tags: [tier]
consumers:
  - username: dave
    groups:
      - name: silver
        tags: [tier]
        created_at: 1700000000
  - username: erin
    groups:
      - id: 3f0b8a52-8d52-4c1e-9a44-4c1f4c3f0a01
`);
    expect(state.entities.consumer_group_consumers.map((m) => refId(m.consumer_group))).toEqual(['3f0b8a52-8d52-4c1e-9a44-4c1f4c3f0a01', '3f0b8a52-8d52-4c1e-9a44-4c1f4c3f0a01']);
    // the item's tags are the group's (decK's dumps), not the membership's
    expect(state.entities.consumer_group_consumers.map((m) => m.tags ?? null)).toEqual([null, null]);
  });

  it('reads consumer_groups[].consumers as consumers and memberships, merged with consumers[] and counted once', () => {
    const { state } = valid(`consumer_groups:
  - name: bronze
    consumers:
      - username: heidi
      - username: ivan
  - name: iron
    consumers:
      - username: heidi
consumers:
  - username: ivan
    groups: [{name: bronze}]
    keyauth_credentials: [{key: ivan-key-1}]
`);
    expect(state.entities.consumers.map((c) => c.username).sort()).toEqual(['heidi', 'ivan']);
    const group = (id: unknown) => state.entities.consumer_groups.find((g) => g.id === refId(id))?.name;
    const user = (id: unknown) => state.entities.consumers.find((c) => c.id === refId(id))?.username;
    const members = state.entities.consumer_group_consumers.map((m) => `${group(m.consumer_group)}:${user(m.consumer)}`).sort();
    expect(members).toEqual(['bronze:heidi', 'bronze:ivan', 'iron:heidi']);
  });

  it('checks a group member like a consumer', () => {
    const r = load('consumer_groups:\n  - name: g\n    consumers:\n      - tags: [x]\n');
    expect(brief(r.issues)).toEqual([expect.stringMatching(/^5:9 error AIGW_ENTITY_CHECK at least one of these fields must be non-empty: 'custom_id', 'username'$/)]);
  });
});

describe('_info keys of decK', () => {
  it('accepts skip_hash_for_basic_auth and consumer_group_policy_overrides', () => {
    valid('_info:\n  skip_hash_for_basic_auth: true\n  consumer_group_policy_overrides: true\nconsumers:\n  - username: leo\n    basicauth_credentials: [{username: leo, password: 0123456789abcdef0123456789abcdef01234567}]\n');
  });
  it('rate-limiting-advanced config.consumer_groups needs consumer_group_policy_overrides (decK, Kong Enterprise >= 3.4)', () => {
    const file = (info: string) => `${info}consumer_groups:\n  - name: premium\nplugins:\n  - name: rate-limiting-advanced\n    config:\n      limit: [10]\n      window_size: [60]\n      consumer_groups: [premium]\n      enforce_consumer_groups: true\n`;
    const upgrade = (issues: readonly Issue[]) => brief(issues).filter((l) => l.includes('Consumer Groups scoped Plugins'));
    expect(upgrade(load(file('')).issues)).toEqual([expect.stringMatching(/^9:7 error AIGW_ENTITY_CHECK a rate-limiting-advanced plugin with config.consumer_groups and\/or config.enforce_consumer_groups was found/)]);
    expect(upgrade(load(file('_info:\n  consumer_group_policy_overrides: true\n')).issues)).toEqual([]);
  });

  it('still refuses an unknown _info key', () => {
    expect(brief(load('_info:\n  skip_hash: true\n').issues)).toEqual(["3:3 error AIGW_UNKNOWN_FIELD unknown field 'skip_hash'"]);
  });
});

const LOOKUP = `_info:
  select_tags: [team-a]
  default_lookup_tags:
    consumers: [platform]
    consumer_groups: [platform]
    services: [platform]
    routes: [platform]
plugins:
  - name: rate-limiting
    consumer: alice
    config: {minute: 5, policy: local}
  - name: rate-limiting
    route: shared-route
    config: {minute: 7, policy: local}
  - name: correlation-id
    service: shared-svc
  - name: rate-limiting
    consumer_group: gold
    config: {minute: 9, policy: local}
consumers:
  - username: bob
    groups: [{name: gold}]
`;

describe('_info.default_lookup_tags', () => {
  it('offline: each reference to a gateway entity is a warning at the reference, with no false duplicate', () => {
    const r = valid(LOOKUP);
    expect(brief(r.issues).map((l) => l.replace(/ is not in the files.*/, ''))).toEqual([
      "11:15 warning AIGW_GATEWAY_REFERENCE consumer 'alice' referenced by plugin 'rate-limiting' (field 'consumer')",
      "14:12 warning AIGW_GATEWAY_REFERENCE route 'shared-route' referenced by plugin 'rate-limiting' (field 'route')",
      "17:14 warning AIGW_GATEWAY_REFERENCE service 'shared-svc' referenced by plugin 'correlation-id' (field 'service')",
      "19:21 warning AIGW_GATEWAY_REFERENCE consumer_group 'gold' referenced by plugin 'rate-limiting' (field 'consumer_group')",
      "23:21 warning AIGW_GATEWAY_REFERENCE consumer_group 'gold' referenced by consumer_group membership (field 'consumer_group')",
    ]);
    expect(r.issues[0].message).toContain('looked up on the gateway at sync time among the consumers tagged platform (_info.default_lookup_tags.consumers)');
    expect(r.state.entities.plugins).toHaveLength(4);
  });

  it('without lookup tags the same references are errors', () => {
    const r = load(LOOKUP.replace(/ {2}default_lookup_tags:\n( {4}.*\n)+/, ''));
    expect(r.issues.filter((i) => i.code === 'AIGW_REFERENCE')).toHaveLength(5);
  });

  it('online: references resolve to the gateway\'s lookup-tagged entities; a name found nowhere is an error', () => {
    const gw = (id: string, o: Record<string, unknown>) => ({ id, tags: ['platform'], ...o }) as Entity;
    const gateway: GatewayEntities = {
      consumers: [gw('00000000-0000-4000-8000-000000000001', { username: 'alice' })],
      consumer_groups: [gw('00000000-0000-4000-8000-000000000002', { name: 'gold' })],
      services: [gw('00000000-0000-4000-8000-000000000003', { name: 'shared-svc' })],
      routes: [],
    };
    const r = load(LOOKUP, gateway);
    expect(brief(r.issues)).toEqual([
      "14:12 error AIGW_REFERENCE route 'shared-route' referenced by plugin 'rate-limiting' (field 'route') does not exist, neither in the files nor among the gateway's routes tagged platform (_info.default_lookup_tags.routes)",
    ]);
    const ok = valid(LOOKUP, { ...gateway, routes: [gw('00000000-0000-4000-8000-000000000004', { name: 'shared-route' })] });
    expect(ok.issues).toEqual([]);
    const scopes = ok.state.entities.plugins.map((p) => [p.consumer, p.route, p.service, p.consumer_group].map(refId).find((x) => x !== null)).sort();
    expect(scopes).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004']);
    expect(ok.state.entities.consumers.map((c) => c.username)).toEqual(['bob']);
  });

  it('online: a group member that is a lookup-tagged gateway consumer is only a membership', () => {
    const gateway: GatewayEntities = { consumers: [{ id: '00000000-0000-4000-8000-000000000009', username: 'consumer-1', tags: ['bg'] }] };
    const { state } = valid('_info:\n  default_lookup_tags:\n    consumers: [bg]\nconsumer_groups:\n  - name: group-1\n    consumers:\n      - username: consumer-1\n', gateway);
    expect(state.entities.consumers).toEqual([]);
    expect(refId(state.entities.consumer_group_consumers[0].consumer)).toBe('00000000-0000-4000-8000-000000000009');
  });
});

describe('_info.default_lookup_tags.partials', () => {
  const PARTIAL_LOOKUP = `_info:
  default_lookup_tags:
    partials: [shared-redis]
plugins:
  - name: rate-limiting-advanced
    config: {limit: [10], window_size: [60], namespace: ns, strategy: redis, sync_rate: 1}
    partials:
      - name: redis-shared
  - name: rate-limiting-advanced
    service: s
    config: {limit: [10], window_size: [60], namespace: ns2}
    partials:
      - id: 0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a11
services:
  - name: s
    url: http://127.0.0.1:9
`;
  const gateway: GatewayEntities = {
    partials: [
      { id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a10', name: 'redis-shared', type: 'redis-ee', config: { host: 'redis' }, tags: ['shared-redis'] },
      { id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a11', name: 'redis-other', type: 'redis-ee', config: { host: 'redis' }, tags: ['shared-redis'] },
    ],
  };

  it('offline: a link to a partial that is not in the files is a warning at the link, not "entity not found"', () => {
    const r = valid(PARTIAL_LOOKUP);
    expect(brief(r.issues).map((l) => l.replace(/ is not in the files.*/, ''))).toEqual([
      '9:15 warning AIGW_GATEWAY_REFERENCE partial redis-shared for plugin rate-limiting-advanced',
      '14:13 warning AIGW_GATEWAY_REFERENCE partial 0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a11 for plugin rate-limiting-advanced',
    ]);
    expect(r.issues[0].message).toContain('looked up on the gateway at sync time among the partials tagged shared-redis (_info.default_lookup_tags.partials)');
  });

  it('online: the links resolve to the lookup-tagged gateway partials (id, and the path of their type); a missing one is decK\'s error', () => {
    const { state } = valid(PARTIAL_LOOKUP, gateway);
    expect(state.entities.plugins.map((p) => p.partials).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      [{ id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a10', name: 'redis-shared', path: 'config.redis' }],
      [{ id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a11', name: 'redis-other', path: 'config.redis' }],
    ]);
    const r = load(PARTIAL_LOOKUP, { partials: gateway.partials?.slice(1) });
    expect(brief(r.issues)).toEqual(['9:15 error AIGW_REFERENCE partial redis-shared for plugin rate-limiting-advanced: entity not found']);
  });

  it('without lookup tags for partials, a missing partial is an error offline too', () => {
    const r = load(PARTIAL_LOOKUP.replace('partials: [shared-redis]', 'consumers: [x]'));
    expect(brief(r.issues.filter((i) => i.severity === 'error'))).toEqual([
      '9:15 error AIGW_REFERENCE partial redis-shared for plugin rate-limiting-advanced: entity not found',
      '14:13 error AIGW_REFERENCE partial 0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a11 for plugin rate-limiting-advanced: entity not found',
    ]);
  });
});

describe('apply: references to the target\'s entities (decK partial apply)', () => {
  const APPLY = `plugins:
  - name: request-termination
    consumer: alice
    config: {status_code: 418}
  - name: request-termination
    service: 0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a20
    config: {status_code: 418}
  - name: rate-limiting-advanced
    route: example-route
    config: {limit: [10], window_size: [60], namespace: ns}
    partials:
      - name: redis-shared
consumers:
  - username: bob
    groups:
      - name: gold
`;
  const applyLoad = (text: string, apply: ApplyTarget, gateway?: GatewayEntities) => loadText(`_format_version: "3.0"\n${text}`, { env: {}, name: 'f.yaml', apply, gateway });
  const target: ApplyTarget = {
    entities: {
      consumers: [{ id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a10', username: 'alice', custom_id: 'a-1' }],
      services: [{ id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a20', name: 'example-service' }],
      routes: [{ id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a30', name: 'example-route' }],
      consumer_groups: [{ id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a40', name: 'gold' }],
      partials: [{ id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a50', name: 'redis-shared', type: 'redis-ee', config: { host: 'redis' } }],
    },
  };

  it('before the target is read: each reference the files do not satisfy is a warning at the reference', () => {
    const r = applyLoad(APPLY, { entities: null });
    expect(brief(r.issues).map((l) => l.replace(/ is not in the files.*/, ''))).toEqual([
      "4:15 warning AIGW_GATEWAY_REFERENCE consumer 'alice' referenced by plugin 'request-termination' (field 'consumer')",
      "7:14 warning AIGW_GATEWAY_REFERENCE service '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a20' referenced by plugin 'request-termination' (field 'service')",
      "10:12 warning AIGW_GATEWAY_REFERENCE route 'example-route' referenced by plugin 'rate-limiting-advanced' (field 'route')",
      '13:15 warning AIGW_GATEWAY_REFERENCE partial redis-shared for plugin rate-limiting-advanced',
      "17:15 warning AIGW_GATEWAY_REFERENCE consumer_group 'gold' referenced by consumer_group membership (field 'consumer_group')",
    ]);
    expect(r.issues[0].message).toContain("is not in the files: apply looks it up among the target's consumers");
    expect(r.state?.entities.plugins).toHaveLength(3);
  });

  it("once read: references resolve to the target's entities by name or id, which never join the files' state", () => {
    const r = applyLoad(APPLY, target);
    expect(brief(r.issues)).toEqual([]);
    const e = r.state!.entities;
    expect(e.plugins.map((p) => [p.consumer, p.service, p.route].map(refId).find((x) => x !== null)).sort()).toEqual([
      '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a10', '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a20', '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a30',
    ]);
    expect(e.plugins.find((p) => p.name === 'rate-limiting-advanced')?.partials).toEqual([{ id: '0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a50', name: 'redis-shared', path: 'config.redis' }]);
    expect(refId(e.consumer_group_consumers[0].consumer_group)).toBe('0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a40');
    expect([e.consumers.map((c) => c.username), e.services, e.routes, e.consumer_groups, e.partials]).toEqual([['bob'], [], [], [], []]);
  });

  it('the files come first; a name found neither there nor on the target is an error naming where it was looked for', () => {
    const own = applyLoad('consumers:\n  - username: alice\n    id: 0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a99\nplugins:\n  - name: cors\n    consumer: alice\n', target);
    expect(refId(own.state!.entities.plugins[0].consumer)).toBe('0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a99');
    const r = applyLoad(APPLY.replace('consumer: alice', 'consumer: carol').replace('- name: redis-shared', '- name: redis-other'), { ...target, selectTags: ['team-a'] });
    expect(brief(r.issues)).toEqual([
      "4:15 error AIGW_REFERENCE consumer 'carol' referenced by plugin 'request-termination' (field 'consumer') does not exist, neither in the files nor among the target's consumers tagged team-a (select tags)",
      '13:15 error AIGW_REFERENCE partial redis-other for plugin rate-limiting-advanced: entity not found',
    ]);
  });

  it('with lookup tags, a name the tagged entities do not have is still looked up among the target\'s', () => {
    const lookup = `_info:\n  default_lookup_tags:\n    services: [platform]\nplugins:\n  - name: cors\n    service: example-service\n  - name: cors\n    service: missing\n`;
    const r = applyLoad(lookup, target, { services: [] });
    expect(refId(r.state?.entities.plugins[0].service ?? null)).toBe(null);
    expect(brief(r.issues)).toEqual([
      "9:14 error AIGW_REFERENCE service 'missing' referenced by plugin 'cors' (field 'service') does not exist, neither in the files nor among the gateway's services tagged platform (_info.default_lookup_tags.services) nor the target's services",
    ]);
    const ok = applyLoad(lookup.replace(/ {2}- name: cors\n {4}service: missing\n/, ''), target, { services: [] });
    expect(refId(ok.state!.entities.plugins[0].service)).toBe('0b7c6b8e-5d59-4b8e-9d0e-2a4c1f6e7a20');
  });
});

describe('a nested plugin naming an entity of another kind by id', () => {
  const text = `services:
  - name: mine
    url: http://127.0.0.1:9/
    plugins:
      - name: rate-limiting
        config: {minute: 5, policy: local}
      - name: rate-limiting
        consumer: 6a1e2f10-0c4b-4c39-9a0d-8f0e5f6b7a03
        config: {minute: 50, policy: local}
`;
  it('is resolved on the gateway: a warning, the id kept, the two plugins distinct', () => {
    const { state, issues } = valid(text);
    expect(brief(issues)).toEqual([expect.stringMatching(/^9:19 warning AIGW_GATEWAY_REFERENCE consumer '6a1e2f10-0c4b-4c39-9a0d-8f0e5f6b7a03' referenced by plugin 'rate-limiting' \(field 'consumer'\) is not in the files: the gateway must have it/)]);
    expect(state.entities.plugins.map((p) => refId(p.consumer)).sort()).toEqual(['6a1e2f10-0c4b-4c39-9a0d-8f0e5f6b7a03', null]);
  });

  it('a top-level plugin must still find its references in the files', () => {
    const r = load('plugins:\n  - name: rate-limiting\n    consumer: 6a1e2f10-0c4b-4c39-9a0d-8f0e5f6b7a03\n    config: {minute: 5, policy: local}\n');
    expect(brief(r.issues)).toEqual([expect.stringMatching(/^4:15 error AIGW_REFERENCE consumer '6a1e2f10-0c4b-4c39-9a0d-8f0e5f6b7a03' .* does not exist$/)]);
  });
});

describe('aigw serve and references to gateway entities', () => {
  it('refuses a file whose entities name gateway entities (nothing to look them up in), naming each reference', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { bufferIo } = await import('../../../src/cli/io.js');
    const { serve } = await import('../../../src/commands/serve.js');
    const dir = mkdtempSync(join(tmpdir(), 'aigw-lookup-'));
    try {
      const file = join(dir, 'kong.yaml');
      writeFileSync(file, `_format_version: "3.0"
_info:
  default_lookup_tags:
    consumers: [platform]
routes:
  - name: r
    paths: [/r]
plugins:
  - name: rate-limiting
    consumer: team-a
    route: r
    config: {minute: 3, policy: local}
`);
      const io = bufferIo({ env: {} });
      const code = await serve({ args: [file], opts: { listen: '127.0.0.1:0', adminListen: 'off', accessLog: false, watch: false } }, io);
      expect(code).toBe(1);
      expect(io.stderr()).toMatch(/kong\.yaml:10:15 +error +AIGW_GATEWAY_REFERENCE .*aigw serve has no gateway to look it up in/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
