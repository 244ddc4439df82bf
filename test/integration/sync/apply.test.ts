/**
 * `aigw gateway apply` through `aigw serve --db` (issue 11, "every decK file accepted"): a file whose
 * references name entities that exist only on the target is applied, as decK's apply does (its
 * testdata apply/003-006: a consumer, a consumer group, a service, a route applied first, then a
 * file naming it). The referenced entity is only referenced: apply never creates, changes or
 * deletes it. A reference found neither in the files nor on the target is an error at
 * file:line:col, and nothing is written. Fixtures written for this test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bufferIo } from '../../../src/cli/io.js';
import { command as apply } from '../../../src/commands/apply.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as reset } from '../../../src/commands/reset.js';
import type { Command } from '../../../src/commands/types.js';
import { request } from '../../helpers/net.js';
import { startServeDb, type RunningServe } from '../../helpers/serve-db.js';

let dir: string;
let db: RunningServe;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-apply-'));
  db = await startServeDb(join(dir, 'aigw.db'));
});
afterAll(async () => {
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  expect((await run(reset, [], { force: true })).code).toBe(0);
});

const file = (name: string, text: string) => writeFileSync(join(dir, name), `_format_version: "3.0"\n${text}`);
async function run(cmd: Command, args: string[], opts: Record<string, unknown> = {}) {
  const io = bufferIo({ cwd: dir, confirm: false });
  const code = await cmd.run({ args, opts: { kongAddr: db.admin, ...opts } }, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
/** Apply, expecting success. */
async function applied(name: string) {
  const r = await run(apply, [name]);
  expect(r.code, r.err + r.out).toBe(0);
  return r;
}
async function get(path: string): Promise<any> {
  const res = await request(`${db.admin}${path}`);
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.json();
}
/** The gateway's state as `aigw gateway dump` writes it. */
async function dumped(): Promise<any> {
  const r = await run(dump, []);
  expect(r.code, r.err).toBe(0);
  return parse(r.out);
}

const TERMINATE = `  - name: request-termination
    config:
      status_code: 418
`;

describe('references to entities only on the target', () => {
  it('a top-level plugin naming a consumer applied before (decK apply/003); the consumer is left as it is', async () => {
    file('consumer.yaml', 'consumers:\n  - username: carol\n    custom_id: c-1\n    tags: [team-a]\n');
    await applied('consumer.yaml');
    const before = await get('/consumers/carol');
    file('plugin.yaml', `plugins:\n${TERMINATE}    consumer: carol\n`);
    const r = await applied('plugin.yaml');
    expect(r.out).toBe('creating plugin request-termination for consumer carol\nSummary:\n  Created: 1\n  Updated: 0\n  Deleted: 0\n');
    const plugins = (await get('/plugins')).data;
    expect(plugins).toHaveLength(1);
    expect(plugins[0]).toMatchObject({ name: 'request-termination', consumer: { id: before.id }, config: { status_code: 418 } });
    expect(await get('/consumers/carol')).toEqual(before);
    // applied again: the plugin is found by its consumer, nothing changes
    const again = await applied('plugin.yaml');
    expect(again.out).not.toMatch(/creating|updating/);
    expect((await get('/plugins')).data).toHaveLength(1);
  });

  it('a consumer joining a consumer group applied before (decK apply/004)', async () => {
    file('group.yaml', 'consumer_groups:\n  - name: platinum\n    tags: [tier]\n');
    await applied('group.yaml');
    const before = await get('/consumer_groups/platinum');
    file('member.yaml', 'consumers:\n  - username: dave\n    groups:\n      - name: platinum\n');
    await applied('member.yaml');
    const members = (await get('/consumer_groups/platinum/consumers')).data;
    expect(members.map((c: { username: string }) => c.username)).toEqual(['dave']);
    expect((await get('/consumer_groups/platinum')).consumer_group).toEqual(before.consumer_group);
    expect(await dumped()).toEqual({
      _format_version: '3.0',
      consumers: [{ username: 'dave', groups: [{ name: 'platinum' }] }],
      consumer_groups: [{ name: 'platinum', tags: ['tier'] }],
    });
  });

  it('a plugin and a route naming a service applied before (decK apply/005), by name and by id', async () => {
    file('service.yaml', 'services:\n  - name: example-service\n    url: http://127.0.0.1:9/api\n    routes:\n      - name: existing\n        paths: [/existing]\n');
    await applied('service.yaml');
    const before = await get('/services/example-service');
    file('by-name.yaml', `plugins:\n${TERMINATE}    service: example-service\nroutes:\n  - name: added\n    paths: [/added]\n    service: example-service\n`);
    await applied('by-name.yaml');
    expect((await get('/plugins')).data[0]).toMatchObject({ service: { id: before.id } });
    expect(await get('/routes/added')).toMatchObject({ service: { id: before.id } });
    file('by-id.yaml', `plugins:\n  - name: cors\n    service: ${before.id}\n`);
    await applied('by-id.yaml');
    const cors = (await get('/plugins')).data.find((p: { name: string }) => p.name === 'cors');
    expect(cors).toMatchObject({ service: { id: before.id } });
    // the service and the route the files never named are untouched
    expect(await get('/services/example-service')).toEqual(before);
    expect((await get('/routes')).data.map((r: { name: string }) => r.name).sort()).toEqual(['added', 'existing']);
  });

  it('a plugin naming a route applied before (decK apply/006)', async () => {
    file('route.yaml', 'routes:\n  - name: example-route\n    paths: [/mock]\n');
    await applied('route.yaml');
    const before = await get('/routes/example-route');
    file('route-plugin.yaml', `plugins:\n${TERMINATE}    route: example-route\n`);
    await applied('route-plugin.yaml');
    expect((await get('/plugins')).data[0]).toMatchObject({ name: 'request-termination', route: { id: before.id } });
    expect(await get('/routes/example-route')).toEqual(before);
    const state = await dumped();
    expect(Object.keys(state).sort()).toEqual(['_format_version', 'routes']);
    expect(state.routes).toMatchObject([{ name: 'example-route', paths: ['/mock'], plugins: [{ name: 'request-termination', config: { status_code: 418 } }] }]);
  });
});

describe('a reference found nowhere', () => {
  it('is an error at the reference, naming it, and nothing is written', async () => {
    file('seed.yaml', 'consumers:\n  - username: carol\n');
    await applied('seed.yaml');
    file('broken.yaml', `services:\n  - name: new-service\n    url: http://127.0.0.1:9\nplugins:\n${TERMINATE}    consumer: nobody\n  - name: cors\n    route: no-such-route\n`);
    const r = await run(apply, ['broken.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toContain("broken.yaml:9:15  error    AIGW_REFERENCE  consumer 'nobody' referenced by plugin 'request-termination' (field 'consumer') does not exist, neither in the files nor among the target's consumers");
    expect(r.err).toContain("broken.yaml:11:12  error    AIGW_REFERENCE  route 'no-such-route' referenced by plugin 'cors' (field 'route') does not exist, neither in the files nor among the target's routes");
    expect((await get('/services')).data).toEqual([]);
    expect((await get('/plugins')).data).toEqual([]);
  });
});
