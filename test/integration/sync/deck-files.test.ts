/**
 * decK file forms through a real Admin API (issue 11: "Every decK file accepted", "No phantom
 * drift"): each file of deck-files/ validates, then (seed →) sync → dump → the dump validates →
 * diff = no change. Lookup-tag references resolve against the other team's entities and leave
 * them alone; set-typed values in another order are no change, an array in another order is one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as sync } from '../../../src/commands/sync.js';
import { command as validate } from '../../../src/commands/validate.js';
import { loadState } from '../../../src/config/index.js';
import { emptyState, refId } from '../../../src/config/state.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const DIR = resolve(import.meta.dirname, 'deck-files');

let s: Running;
let tmp: string;
beforeAll(async () => {
  s = await startAdmin();
  tmp = mkdtempSync(join(tmpdir(), 'aigw-deck-files-'));
});
afterAll(async () => {
  await s.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => s.store.replaceAll(emptyState()));

const io = () => bufferIo({ cwd: DIR });

async function run(cmd: typeof sync, args: string[], opts: Record<string, unknown> = {}): Promise<{ rc: number; out: string; err: string }> {
  const b = io();
  const rc = await cmd.run({ args, opts: { kongAddr: s.url, ...opts } }, b);
  return { rc, out: b.stdout(), err: b.stderr() };
}

async function errorsOf(path: string): Promise<string[]> {
  const r = await loadState([path], { env: {}, cwd: DIR });
  return r.issues.filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.column} ${i.message}`);
}

async function warningsOf(path: string): Promise<string[]> {
  const r = await loadState([path], { env: {}, cwd: DIR });
  return r.issues.filter((i) => i.severity === 'warning').map((i) => `${i.line}:${i.column} ${i.message}`);
}

/** validate → (seed) → sync → dump → dump validates → diff of the file is empty. */
async function roundTrip(name: string, seed?: string): Promise<void> {
  expect(await errorsOf(join(DIR, name))).toEqual([]);
  if (seed !== undefined) expect((await run(sync, [seed])).rc).toBe(0);
  const synced = await run(sync, [name]);
  expect(synced.rc, synced.err).toBe(0);
  const out = join(tmp, `${name}.dump.yaml`);
  expect((await run(dump, [], { showSecrets: true, outputFile: out })).rc).toBe(0);
  expect(await errorsOf(out)).toEqual([]);
  const d = await run(diff, [name], { exitCode: true });
  expect(d.out).toContain('Created: 0\n  Updated: 0\n  Deleted: 0');
  expect(d.rc, d.out).toBe(0);
}

describe('_info.default_lookup_tags', () => {
  it('resolves references against the other team\'s entities and round-trips without touching them', async () => {
    await roundTrip('lookup.yaml', 'lookup.seed.yaml');
    const state = s.store.snapshot();
    const id = (list: readonly { id: string }[], f: string, v: string) => (list as Array<Record<string, unknown> & { id: string }>).find((e) => e[f] === v)?.id;
    const mallory = id(state.entities.consumers, 'username', 'mallory');
    const plugin = state.entities.plugins.find((p) => refId(p.consumer) === mallory);
    expect(plugin?.tags).toEqual(['edge']);
    // the looked-up entities keep their owner's tags (no select tag merged in), and nothing was created twice
    expect(state.entities.consumers.map((c) => `${String(c.username)}:${JSON.stringify(c.tags)}`).sort())
      .toEqual(['mallory:["core"]', 'oscar:["core"]', 'peggy:["edge"]']);
    expect(state.entities.services.map((x) => x.name)).toEqual(['billing']);
    // oscar (core's consumer) joins edge-tier through consumer_groups[].consumers; peggy is in both groups
    expect(state.entities.consumer_group_consumers).toHaveLength(3);
    // the core team's file still has no change
    const core = await run(diff, ['lookup.seed.yaml'], { exitCode: true });
    expect(core.rc, core.out).toBe(0);
  });

  it('a name found neither in the file nor among the lookup-tagged entities stops sync, nothing written', async () => {
    const writes = s.requests.length;
    const r = await run(sync, ['lookup.yaml']);
    expect(r.rc).toBe(1);
    expect(r.err).toContain("lookup.yaml:13:15  error    AIGW_REFERENCE  consumer 'mallory' referenced by plugin 'rate-limiting' (field 'consumer') does not exist, neither in the files nor among the gateway's consumers tagged core (_info.default_lookup_tags.consumers)");
    expect(s.requests.slice(writes).filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it("a consumer found only among the members of a looked-up consumer group (decK adds them to the file's consumers)", async () => {
    expect(await warningsOf(join(DIR, 'group-members.yaml'))).toEqual([
      "14:15 consumer 'acme-corp' referenced by plugin 'rate-limiting' (field 'consumer') is not in the files: it is looked up on the gateway at sync time among the members of the consumer_groups tagged accounts (_info.default_lookup_tags.consumer_groups)",
    ]);
    await roundTrip('group-members.yaml', 'group-members.seed.yaml');
    const state = s.store.snapshot();
    const acme = state.entities.consumers.find((c) => c.username === 'acme-corp');
    expect(state.entities.plugins.find((p) => p.name === 'rate-limiting')?.consumer).toEqual({ id: acme?.id });
    // the accounts team's consumers are left alone
    expect(state.entities.consumers.map((c) => c.username).sort()).toEqual(['acme-corp', 'globex']);
    const accounts = await run(diff, ['group-members.seed.yaml'], { exitCode: true });
    expect(accounts.rc, accounts.out).toBe(0);
  });

  it('a consumer that is in no looked-up group stops sync, naming where it was looked for', async () => {
    await run(sync, ['group-members.seed.yaml']);
    s.store.replaceAll(emptyState());
    const r = await run(sync, ['group-members.yaml']);
    expect(r.rc).toBe(1);
    expect(r.err).toContain("consumer 'acme-corp' referenced by plugin 'rate-limiting' (field 'consumer') does not exist, neither in the files nor among the members of the gateway's consumer_groups tagged accounts (_info.default_lookup_tags.consumer_groups)");
  });

  it('refuses --skip-consumers with lookup tags for consumers (decK)', async () => {
    await expect(run(sync, ['lookup.yaml'], { skipConsumers: true })).rejects.toThrow('cannot use --skip-consumers with default lookup tags for consumers or consumer groups');
  });
});

describe('partials', () => {
  it('a partial with an id and a plugin linking it by id: the dump (partial without its id) diffs as no change', async () => {
    await roundTrip('partial-id.yaml');
    const out = join(tmp, 'partial-id.yaml.dump.yaml');
    const d = await run(diff, [out], { exitCode: true });
    expect(d.out + d.err).toContain('Created: 0\n  Updated: 0\n  Deleted: 0');
    expect(d.rc, d.out + d.err).toBe(0);
  });
});

describe('decK forms of consumers and plugins', () => {
  it('a nested plugin naming another file\'s consumer, route and service by id', async () => {
    await roundTrip('nested-id.yaml', 'nested-id.seed.yaml');
    const limits = s.store.snapshot().entities.plugins.filter((p) => p.name === 'rate-limiting');
    expect(limits.map((p) => (p.config as { hour: number }).hour).sort()).toEqual([100, 500, 700]);
  });

  it('memberships written three ways, and a custom_id equal to another consumer\'s username', async () => {
    await roundTrip('groups.yaml');
    const state = s.store.snapshot();
    expect(state.entities.consumers).toHaveLength(4);
    expect(state.entities.consumer_group_consumers).toHaveLength(4);
    const victor = state.entities.consumers.find((c) => c.username === 'victor');
    expect(refId(state.entities.plugins[0].consumer)).toBe(victor?.id);
  });

  it('skip_hash_for_basic_auth: aigw serve stores the password as written; a Kong Admin API is refused as decK does', async () => {
    await roundTrip('skip-hash.yaml');
    expect(s.store.snapshot().entities.basicauth_credentials[0].password).toBe('9f2c6e1a4b8d7c3e5f0a1b2c3d4e5f6a7b8c9d0e');
    const kong = await startAdmin({
      intercept: (req, res) => {
        if (req.method !== 'GET' || req.url !== '/') return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ tagline: 'Welcome to kong', version: '3.14.0.0', edition: 'community', configuration: { database: 'postgres' } }));
        return true;
      },
    });
    try {
      await expect(sync.run({ args: ['skip-hash.yaml'], opts: { kongAddr: kong.url } }, io())).rejects.toThrow('skip-hash-for-basic-auth functionality can be used with Konnect only');
      expect(kong.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    } finally {
      await kong.close();
    }
  });
});

describe('set-typed values compare as sets', () => {
  it('tags, protocols, route methods and jwt set fields in another order are no change; an array in another order is one', async () => {
    expect((await run(sync, ['sets.initial.yaml'])).rc).toBe(0);
    const d = await run(diff, ['sets.yaml'], { exitCode: true });
    expect(d.rc).toBe(2);
    expect(d.out).toBe([
      'updating plugin cors for service catalog',
      '  - config.origins[0]: "https://a.example"',
      '  + config.origins[1]: "https://a.example"',
      'Summary:',
      '  Created: 0',
      '  Updated: 1',
      '  Deleted: 0',
      '',
    ].join('\n'));
    expect((await run(sync, ['sets.yaml'])).rc).toBe(0);
    expect((await run(diff, ['sets.yaml'], { exitCode: true })).rc).toBe(0);
    // the set changed for real: a member added shows in the file's order
    expect((await run(diff, ['sets.initial.yaml'], { exitCode: true })).rc).toBe(2);
  });
});

describe("a Kong 2.x _format_version ('1.1')", () => {
  it("validate checks its entities as decK's validate does (a warning); sync and diff refuse it with decK's error, nothing written", async () => {
    const v = io();
    expect(await validate.run({ args: ['format-2x.yaml'], opts: { target: 'aigw', format: 'text' } }, v)).toBe(0);
    expect(v.stdout() + v.stderr()).toMatch(/1:18 +warning +AIGW_FORMAT_VERSION +'1\.1' is a Kong 2\.x config format version: its entities are validated as written, but sync and diff refuse it/);
    // an entity error is still an error
    const bad = io();
    expect(await validate.run({ args: ['-'], opts: { target: 'aigw', format: 'text' } }, { ...bad, readStdin: async () => '_format_version: "1.1"\nservices:\n  - name: x\n    port: 99999\n    host: a.internal\n' })).toBe(1);
    expect(bad.stdout() + bad.stderr()).toMatch(/4:11 +error +AIGW_VALUE +value should be between 0 and 65535/);
    for (const cmd of [sync, diff]) {
      const r = await run(cmd, ['format-2x.yaml']).catch((e: Error) => ({ rc: 1, out: '', err: e.message }));
      expect(r.rc).not.toBe(0);
      expect(r.out + r.err).toContain("cannot apply '1.1' config format version to Kong 3.0 or above");
    }
    expect(s.store.snapshot().entities.services).toEqual([]);
  });
});

describe('validate --consumer-group-policy-overrides', () => {
  it('takes consumer_groups[].plugins as policy overrides as sync does with the flag; without it, decK\'s upgrade error', async () => {
    const without = io();
    expect(await validate.run({ args: ['policy-overrides.yaml'], opts: { target: 'aigw', format: 'text' } }, without)).toBe(1);
    expect(without.stdout()).toMatch(/21:7 +error +AIGW_ENTITY_CHECK +a rate-limiting-advanced plugin with config\.consumer_groups/);
    const withFlag = io();
    expect(await validate.run({ args: ['policy-overrides.yaml'], opts: { target: 'aigw', format: 'text', consumerGroupPolicyOverrides: true } }, withFlag), withFlag.stdout()).toBe(0);
    const synced = await run(sync, ['policy-overrides.yaml'], { consumerGroupPolicyOverrides: true });
    expect(synced.rc, synced.err).toBe(0);
  });
});
