import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toContent, writeState } from '../../../src/config/write.js';
import { loadText } from '../../../src/config/index.js';
import { plan } from '../../../src/diff/plan.js';
import { ID, stateOf } from '../diff/build.js';

const state = stateOf({
  services: [{ id: ID(2), name: 'b-svc', host: 'b', created_at: 5, path: null }, { id: ID(1), name: 'a-svc', host: 'a' }],
  routes: [{ id: ID(3), name: 'r', service: { id: ID(2) }, paths: ['/r'] }],
  consumers: [{ id: ID(4), username: 'alice' }],
  consumer_groups: [{ id: ID(5), name: 'gold' }],
  consumer_group_consumers: [{ id: ID(6), consumer_group: { id: ID(5) }, consumer: { id: ID(4) } }],
  keyauth_credentials: [{ id: ID(7), key: 'secret', consumer: { id: ID(4) } }],
  plugins: [
    { id: ID(8), name: 'cors', route: { id: ID(3) }, service: null, config: { origins: ['*'] } },
    { id: ID(9), name: 'rate-limiting', route: { id: ID(3) }, consumer: { id: ID(4) }, config: { minute: 1 } },
  ],
  certificates: [{ id: ID(10), cert: 'C', key: 'K' }],
});

describe('write', () => {
  const content = toContent(state, { mask: { show: true } }) as Record<string, any>;

  it('nests children under their only parent and sorts by natural key', () => {
    expect(content.services.map((s: { name: string }) => s.name)).toEqual(['a-svc', 'b-svc']);
    expect(content.services[1].routes[0].name).toBe('r');
    expect(content.services[1].routes[0].plugins).toEqual([{ config: { origins: ['*'] }, name: 'cors' }]);
    expect(content.consumers[0].keyauth_credentials).toEqual([{ key: 'secret' }]);
    expect(content.consumers[0].groups).toEqual([{ name: 'gold' }]);
  });

  it('keeps multi-parent plugins top-level with name references', () => {
    expect(content.plugins).toEqual([{ config: { minute: 1 }, consumer: 'alice', name: 'rate-limiting', route: 'r' }]);
  });

  it('drops ids (except where the id is the key), timestamps and nulls', () => {
    expect(content.services[1]).not.toHaveProperty('id');
    expect(content.services[1]).not.toHaveProperty('created_at');
    expect(content.services[1]).not.toHaveProperty('path');
    expect(content.certificates[0].id).toBe(ID(10));
    expect((toContent(state, { withId: true }) as Record<string, any>).services[0].id).toBe(ID(1));
  });

  it('keeps a null that Kong keeps over a non-null default, so the dump loads back as what was read', () => {
    const text = `_format_version: "3.0"
services:
  - name: svc
    url: http://x.example.com
    retries: null
    plugins:
      - name: rate-limiting-advanced
        config:
          limit: [5]
          window_size: [60]
          strategy: local
          redis: { host: null, port: null, timeout: 2000 }
`;
    const loaded = loadText(text, { env: {}, name: 'f.yaml' }).state!;
    const plugin = loaded.entities.plugins[0].config as { redis: Record<string, unknown> };
    expect(plugin.redis.host).toBeNull();
    const out = toContent(loaded, { mask: { show: true } }) as Record<string, any>;
    // defaults 127.0.0.1 / 6379 / 5: written as null; a null whose default is null (redis.username) is dropped
    expect(out.services[0].retries).toBeNull();
    expect(out.services[0].plugins[0].config.redis).toMatchObject({ host: null, port: null, timeout: 2000 });
    expect(out.services[0].plugins[0].config.redis).not.toHaveProperty('username');
    const again = loadText(writeState(loaded, { mask: { show: true } }), { env: {}, name: 'dump.yaml' }).state!;
    expect(plan(loaded, again).ops).toEqual([]);
  });

  it('masks secrets unless shown', () => {
    const masked = toContent(state) as Record<string, any>;
    expect(masked.consumers[0].keyauth_credentials).toEqual([{ key: '[masked]' }]);
    expect(masked.certificates[0].key).toBe('[masked]');
  });

  it('is deterministic and valid YAML / JSON', () => {
    const a = writeState(state, { mask: { show: true } });
    expect(writeState(state, { mask: { show: true } })).toBe(a);
    expect(parse(a)._format_version).toBe('3.0');
    expect(JSON.parse(writeState(state, { format: 'json' }))._format_version).toBe('3.0');
  });

  it('loads back into an equivalent State', () => {
    const text = `_format_version: "3.0"
services:
  - name: svc
    url: http://x.example.com/p
    routes:
      - name: r
        paths: [/r]
        plugins:
          - name: cors
consumers:
  - username: alice
    keyauth_credentials:
      - key: k1
plugins:
  - name: rate-limiting
    route: r
    consumer: alice
    config: { minute: 5 }
`;
    const first = loadText(text, { env: {} });
    expect(first.state, first.issues.map((i) => i.message).join('\n')).not.toBeNull();
    const again = loadText(writeState(first.state!, { mask: { show: true } }), { env: {} });
    expect(again.state, again.issues.map((i) => i.message).join('\n')).not.toBeNull();
    expect(plan(first.state!, again.state!).ops).toEqual([]);
  });
});
