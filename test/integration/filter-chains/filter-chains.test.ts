/**
 * Proxy-Wasm filter chains (Kong 3.4+ `filter_chains`, issue 11): decK files carrying them validate
 * (Kong's checks; a warning that aigw installs no filters), the Admin API serves /filter-chains and
 * /services|routes/{x}/filter-chains, sync → dump → diff through `aigw serve --db` shows no change,
 * and aigw serve, which runs no Wasm, refuses an enabled chain from a file and serves one from its
 * database fail closed (500 in its scope, listed by GET /status). Fixtures modelled on decK's
 * testdata sync/033-filter-chains and dump/004-filter-chains, written for this test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as sync } from '../../../src/commands/sync.js';
import { loadState } from '../../../src/config/index.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { expectSchemaViolation, json, startServeDb, until, type RunningServe } from '../../helpers/serve-db.js';

const SVC = '6f1c2b0e-2d44-4c0b-9a51-0c1d2e3f4a51';
const RT = '6f1c2b0e-2d44-4c0b-9a51-0c1d2e3f4a52';
const FC_SVC = '6f1c2b0e-2d44-4c0b-9a51-0c1d2e3f4a53';
const FC_RT = '6f1c2b0e-2d44-4c0b-9a51-0c1d2e3f4a54';

const file = (upstream: string, svcChain: string, routeFilter: string): string => `_format_version: "3.0"
services:
- name: wasm-svc
  id: ${SVC}
  url: ${upstream}
  filter_chains:${svcChain}
  routes:
  - name: wasm-route
    id: ${RT}
    paths: [/wasm]
    filter_chains:
    - name: on-route
      id: ${FC_RT}
      filters:
      - name: header_adder
${routeFilter}        config:
          add: { headers: ["x-route:one"] }
`;
const SVC_CHAIN = (header: string) => `
  - name: on-service
    id: ${FC_SVC}
    filters:
    - name: header_adder
      config:
        add: { headers: ["x-service:${header}"] }`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-filter-chains-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(name: string, text: string) {
  writeFileSync(join(dir, name), text);
  return loadState([join(dir, name)], { env: {}, cwd: dir });
}
const errors = (r: Awaited<ReturnType<typeof load>>) => r.issues.filter((i) => i.severity === 'error').map((i) => i.message);

describe('aigw validate', () => {
  it('accepts chains nested under services and routes, with a warning per filter (none installed in aigw)', async () => {
    const r = await load('nested.yaml', file('http://127.0.0.1:9', SVC_CHAIN('a'), ''));
    expect(errors(r)).toEqual([]);
    expect(r.state!.entities.filter_chains.map((c) => [c.name, c.service, c.route, c.enabled])).toEqual(expect.arrayContaining([
      ['on-service', { id: SVC }, null, true],
      ['on-route', null, { id: RT }, true],
    ]));
    const warnings = r.issues.filter((i) => i.severity === 'warning' && /header_adder/.test(i.message));
    expect(warnings).toHaveLength(2);
    expect(warnings[0].message).toMatch(/must be a Proxy-Wasm filter installed on the Kong gateway \(Kong: no such filter\); aigw serve installs no Proxy-Wasm filters/);
  });

  it("takes Kong 3.4's JSON-string config and a top-level chain naming its route", async () => {
    const r = await load('top.yaml', `_format_version: "3.0"
routes:
- name: lone
  paths: [/lone]
filter_chains:
- name: top
  route: lone
  filters:
  - name: f
    config: '{"add": {"headers": ["x:1"]}}'
`);
    expect(errors(r)).toEqual([]);
    expect(r.state!.entities.filter_chains[0]).toMatchObject({ name: 'top', enabled: true, filters: [{ name: 'f', enabled: true, config: '{"add": {"headers": ["x:1"]}}' }] });
  });

  it("refuses a chain naming both a service and a route, or neither, and one without filters (Kong's checks)", async () => {
    const r = await load('bad.yaml', `_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:9
  routes: [{ name: r, paths: [/r] }]
- { name: s2, url: 'http://127.0.0.1:9' }
- { name: s3, url: 'http://127.0.0.1:9' }
filter_chains:
- name: both
  service: s
  route: r
  filters: [{ name: f }]
- name: neither
  filters: [{ name: f }]
- name: empty
  service: s2
  filters: []
- name: nameless-filter
  service: s3
  filters: [{ config: {} }]
`);
    const msgs = errors(r).join('\n');
    expect(msgs).toMatch(/only one or none of these fields must be set: 'service', 'route'/);
    expect(msgs).toMatch(/at least one of these fields must be non-empty: 'service', 'route'/);
    expect(errors(r).length).toBe(4);
  });
});

describe('aigw serve from a file', () => {
  const deps = () => ({ logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) });

  it('refuses an enabled filter chain, naming it', async () => {
    const r = await load('serve.yaml', file('http://127.0.0.1:9', ' []', ''));
    expect(() => buildRuntime(r.state!, deps())).toThrowError(
      new RegExp(`filter chain 'on-route' \\(${FC_RT}\\): filters\\.1\\.name: no such filter \\('header_adder'\\): aigw serve installs no Proxy-Wasm filters`),
    );
  });

  it('builds with the chain disabled', async () => {
    const r = await load('serve-off.yaml', file('http://127.0.0.1:9', ' []', '').replace(`    - name: on-route\n`, `    - name: on-route\n      enabled: false\n`));
    expect(r.state!.entities.filter_chains[0].enabled).toBe(false);
    expect(() => buildRuntime(r.state!, deps())).not.toThrow();
  });
});

type Status = { configuration_errors: Array<{ entity: string; id: string; name: string | null; message: string }> };

describe('aigw serve --db', () => {
  let up: TestUpstream;
  let gw: RunningServe;
  beforeAll(async () => {
    up = await startUpstream();
    gw = await startServeDb(join(dir, 'gw.db'));
  });
  afterAll(async () => {
    await gw?.stop();
    await up?.close();
  });

  const io = () => bufferIo({ cwd: dir });
  async function syncDumpDiff(name: string, text: string): Promise<void> {
    writeFileSync(join(dir, name), text);
    const opts = { kongAddr: gw.admin };
    const synced = io();
    expect(await sync.run({ args: [name], opts }, synced), synced.stderr()).toBe(0);
    const out = join(dir, `${name}.dump.yaml`);
    const dumped = io();
    expect(await dump.run({ args: [], opts: { ...opts, outputFile: out } }, dumped), dumped.stderr()).toBe(0);
    for (const f of [out, name]) {
      const again = io();
      expect(await diff.run({ args: [f], opts: { ...opts, exitCode: true } }, again), again.stdout() + again.stderr()).toBe(0);
    }
  }

  it('create → update → delete: sync, dump and diff show no change at each step', async () => {
    await syncDumpDiff('create.yaml', file(up.url, SVC_CHAIN('a'), ''));
    const chains = (await request(`${gw.admin}/filter-chains`)).json<{ data: Array<Record<string, unknown>> }>().data;
    expect(chains.map((c) => c.name).sort()).toEqual(['on-route', 'on-service']);
    // a changed filter config, and a filter disabled (decK's update case)
    await syncDumpDiff('update.yaml', file(up.url, SVC_CHAIN('b'), '        enabled: false\n'));
    const svcChain = (await request(`${gw.admin}/filter-chains/on-service`)).json<{ filters: Array<{ config: unknown }> }>();
    expect(svcChain.filters[0].config).toEqual({ add: { headers: ['x-service:b'] } });
    const routeChain = (await request(`${gw.admin}/routes/wasm-route/filter-chains`)).json<{ data: Array<{ filters: Array<{ enabled: boolean }> }> }>();
    expect(routeChain.data[0].filters[0].enabled).toBe(false);
    // the service's chain removed (decK's delete case)
    await syncDumpDiff('delete.yaml', file(up.url, ' []', '        enabled: false\n'));
    expect((await request(`${gw.admin}/filter-chains/on-service`)).status).toBe(404);
    expect((await request(`${gw.admin}/filter-chains/on-route`)).status).toBe(200);
  });

  it('serves an enabled chain fail closed: 500 in its scope, nothing proxied, listed on GET /status', async () => {
    await until(async () => (await request(`${gw.proxy}/wasm`)).status === 500);
    const seen = up.seen.length;
    expect((await request(`${gw.proxy}/wasm`)).status).toBe(500);
    expect(up.seen.length).toBe(seen);
    const status = (await request(`${gw.admin}/status`)).json<Status>();
    expect(status.configuration_errors).toContainEqual({
      entity: 'filter_chains', id: FC_RT, name: 'on-route',
      message: "filters.1.name: no such filter ('header_adder'): aigw serve installs no Proxy-Wasm filters; disable the filter chain (enabled: false) or remove it to serve the configuration locally",
    });
    expect(gw.stderr()).toMatch(/filter_chain 'on-route' \([0-9a-f-]+\) is stored but not run: .*; requests in its scope answer 500/);
  });

  it('Admin API: nested create and read, PATCH to disable opens the scope, Kong\'s checks refuse both/neither', async () => {
    expect((await request(`${gw.admin}/services/wasm-svc/routes`, json('POST', { name: 'other', paths: [/* */ '/other'] }))).status).toBe(201);
    const created = await request(`${gw.admin}/routes/other/filter-chains`, json('POST', { name: 'nested', filters: [{ name: 'f', config: { a: 1 } }] }));
    expect(created.status, created.text).toBe(201);
    expect(created.json()).toMatchObject({ name: 'nested', enabled: true, service: null, filters: [{ name: 'f', config: { a: 1 }, enabled: true }] });
    const listed = (await request(`${gw.admin}/routes/other/filter-chains`)).json<{ data: Array<{ name: string }> }>().data;
    expect(listed.map((c) => c.name)).toEqual(['nested']);
    expect((await request(`${gw.admin}/services/wasm-svc/filter-chains`)).json<{ data: unknown[] }>().data).toEqual([]);

    // one chain per route (Kong: unique foreign key, its cache_key): 409 with Kong's message; the chain itself may be updated
    const routeId = (await request(`${gw.admin}/routes/other`)).json<{ id: string }>().id;
    const second = await request(`${gw.admin}/routes/other/filter-chains`, json('POST', { name: 'second', filters: [{ name: 'f' }] }));
    expect(second.status, second.text).toBe(409);
    expect(second.json()).toMatchObject({ name: 'unique constraint violation', message: `UNIQUE violation detected on '{route={id="${routeId}"},service=null}'`, fields: { route: { id: routeId }, service: null } });
    expect((await request(`${gw.admin}/filter-chains/nested`, json('PATCH', { tags: ['t'] }))).status).toBe(200);

    expectSchemaViolation(await request(`${gw.admin}/filter-chains`, json('POST', { service: 'wasm-svc', route: 'other', filters: [{ name: 'f' }] })),
      /only one or none of these fields must be set: 'service', 'route'/);
    expectSchemaViolation(await request(`${gw.admin}/filter-chains`, json('POST', { name: 'x', filters: [{ name: 'f' }] })),
      /at least one of these fields must be non-empty: 'service', 'route'/);

    expect((await request(`${gw.admin}/filter-chains/on-route`, json('PATCH', { enabled: false }))).status).toBe(200);
    await until(async () => (await request(`${gw.proxy}/wasm`)).status === 200);
    expect((await request(`${gw.admin}/filter-chains/nested`, { method: 'DELETE' })).status).toBe(204);
    await until(async () => (await request(`${gw.admin}/status`)).json<Status>().configuration_errors.length === 0);
  });
});
