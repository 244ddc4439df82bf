/**
 * Kong's `partials` entity: in the file (validated by type, linked from plugins by name or id),
 * in `aigw serve` (the partial's config fills the plugin's), and through sync → diff on the
 * Admin API with no change left.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as sync } from '../../../src/commands/sync.js';
import { loadState } from '../../../src/config/index.js';
import { DEFAULT_PROFILE } from '../../../src/config/kong-version.js';
import { useKongProfile } from '../../../src/config/schemas.js';
import { emptyState } from '../../../src/config/state.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import type { Plugin } from '../../../src/gateway/plugin.js';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const FILE = `_format_version: "3.0"
partials:
  - name: team-redis
    type: redis-ce
    config:
      host: redis.internal
      port: 6380
      database: 2
services:
  - name: svc
    url: http://127.0.0.1:9
    routes:
      - name: r
        paths: [/r]
        plugins:
          - name: rate-limiting
            config: { minute: 20, policy: redis }
            partials:
              - name: team-redis
`;

let dir: string;
let admin: Running;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-partials-'));
  writeFileSync(join(dir, 'kong.yaml'), FILE);
  admin = await startAdmin();
});
afterEach(() => useKongProfile(DEFAULT_PROFILE));
afterAll(async () => {
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

async function load(text: string) {
  writeFileSync(join(dir, 'x.yaml'), text);
  return loadState([join(dir, 'x.yaml')], { env: {}, cwd: dir });
}

describe('partials in the file', () => {
  it('loads a partial with its type defaults and links the plugin by name, with the path of its type', async () => {
    const r = await load(FILE);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const partial = r.state?.entities.partials[0];
    expect(partial).toMatchObject({ name: 'team-redis', type: 'redis-ce', config: { host: 'redis.internal', port: 6380, database: 2, timeout: 2000, ssl_verify: true } });
    expect(r.state?.entities.plugins[0]?.partials).toEqual([{ id: partial?.id, name: 'team-redis', path: 'config.redis' }]);
  });

  it('reports an unknown partial and a bad config at their lines', async () => {
    const bad = FILE.replace('port: 6380', 'port: not-a-port').replace(/- name: team-redis\n$/, '- name: nope\n');
    const r = await load(bad);
    const errors = r.issues.filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.code}:${i.message}`);
    expect(errors).toContain('7:AIGW_TYPE:expected an integer');
    expect(errors).toContain('19:AIGW_REFERENCE:partial nope for plugin rate-limiting: entity not found');
  });

  it('AI partial types are Kong 3.13+: the 3.10 profile refuses them', async () => {
    const ai = `_format_version: "3.0"\npartials:\n  - name: vec\n    type: vectordb\n    config: { strategy: redis, dimensions: 3, distance_metric: cosine }\n`;
    expect((await load(ai)).issues.filter((i) => i.severity === 'error')).toEqual([]);
    useKongProfile('3.10');
    const old = await load(ai);
    expect(old.issues.map((i) => i.message)).toContain('expected one of: redis-ce, redis-ee');
  });
});

describe('partials in aigw serve', () => {
  it("fill the plugin's config at the link's path before the plugin is created", async () => {
    const r = await load(FILE);
    if (!r.state) throw new Error('invalid');
    const seen: Array<Record<string, unknown>> = [];
    const spy: Plugin<Record<string, unknown>> = { name: 'rate-limiting', priority: 910, create: (config) => { seen.push(config); return {}; } };
    buildRuntime(r.state, {
      logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }),
      plugins: new Map([['rate-limiting', spy as Plugin<never>]]),
    });
    expect(seen[0]?.redis).toMatchObject({ host: 'redis.internal', port: 6380, database: 2 });
    expect(seen[0]?.minute).toBe(20);
  });
});

describe('partials on the Admin API', () => {
  it('sync creates the partial before the plugin; the unchanged file then diffs clean', async () => {
    admin.store.replaceAll(emptyState());
    const opts = { kongAddr: admin.url };
    const io = bufferIo({ cwd: dir });
    expect(await sync.run({ args: ['kong.yaml'], opts }, io), io.stderr()).toBe(0);
    expect(admin.store.list('partials').map((p) => p.name)).toEqual(['team-redis']);
    const again = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['kong.yaml'], opts }, again)).toBe(0);
    expect(again.stdout()).toContain('Created: 0\n  Updated: 0\n  Deleted: 0');
  });
});
