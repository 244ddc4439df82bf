/**
 * decK's consumer-group policy overrides through a real Admin API (aigw serve --db): sync → dump →
 * the dump validates → diff = no change; the overrides go through Kong EE's endpoints
 * (`PUT /consumer_groups/{g}/overrides/plugins/rate-limiting-advanced`, read back from
 * `GET /consumer_groups/{g}`), the flag comes back in the dump, and without the flag nothing changes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as sync } from '../../../src/commands/sync.js';
import { loadState } from '../../../src/config/index.js';
import { emptyState, refId } from '../../../src/config/state.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const DIR = resolve(import.meta.dirname, 'policy-overrides');

let s: Running;
let tmp: string;
beforeAll(async () => {
  s = await startAdmin();
  tmp = mkdtempSync(join(tmpdir(), 'aigw-cgpo-'));
});
afterAll(async () => {
  await s.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => s.store.replaceAll(emptyState()));

async function run(cmd: typeof sync, args: string[], opts: Record<string, unknown> = {}): Promise<{ rc: number; out: string; err: string }> {
  const b = bufferIo({ cwd: DIR });
  const rc = await cmd.run({ args, opts: { kongAddr: s.url, ...opts } }, b);
  return { rc, out: b.stdout(), err: b.stderr() };
}

async function errorsOf(path: string, opts: { consumerGroupPolicyOverrides?: boolean } = {}): Promise<string[]> {
  const r = await loadState([path], { env: {}, cwd: DIR, ...opts });
  return r.issues.filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.column} ${i.message}`);
}

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${s.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: res.status === 204 ? null : await res.json() as Record<string, unknown> };
};

describe('consumer-group policy overrides: sync → dump → diff through aigw serve --db', () => {
  it('round-trips with no change, through the overrides endpoints', async () => {
    expect(await errorsOf(join(DIR, 'tiers.yaml'))).toEqual([]);
    const synced = await run(sync, ['tiers.yaml']);
    expect(synced.rc, synced.err).toBe(0);
    const puts = s.requests.filter((r) => r.method === 'PUT' && r.path.includes('/overrides/plugins/rate-limiting-advanced'));
    expect(puts).toHaveLength(2);
    const state = s.store.snapshot();
    expect(state.entities.consumer_group_plugins).toHaveLength(2);
    expect(state.entities.plugins.filter((p) => refId(p.consumer_group) !== null).map((p) => p.name)).toEqual(['rate-limiting']);
    const out = join(tmp, 'tiers.dump.yaml');
    expect((await run(dump, [], { showSecrets: true, outputFile: out })).rc).toBe(0);
    const dumped = readFileSync(out, 'utf8');
    expect(dumped).toContain('_info:\n  consumer_group_policy_overrides: true\n');
    expect(await errorsOf(out)).toEqual([]);
    for (const file of ['tiers.yaml', out]) {
      const d = await run(diff, [file], { exitCode: true });
      expect(d.out).toContain('Created: 0\n  Updated: 0\n  Deleted: 0');
      expect(d.rc, d.out).toBe(0);
    }
  });

  it("the Admin API answers with Kong EE's shapes", async () => {
    expect((await run(sync, ['tiers.yaml'])).rc).toBe(0);
    const gold = await call('GET', '/consumer_groups/gold');
    expect(gold.status).toBe(200);
    expect(gold.body).toMatchObject({
      consumer_group: { name: 'gold' },
      consumers: [{ username: 'olga' }],
      plugins: [{ name: 'rate-limiting-advanced', config: { limit: [500, 20], window_size: [3600, 1], window_type: 'fixed', retry_after_jitter_max: 0 } }],
    });
    expect((await call('GET', '/consumer_groups/trial')).body).not.toHaveProperty('plugins');
    const put = await call('PUT', '/consumer_groups/trial/overrides/plugins/rate-limiting-advanced', { config: { limit: [1], window_size: [60] } });
    expect(put).toEqual({ status: 201, body: { consumer_group: 'trial', plugin: 'rate-limiting-advanced', config: { limit: [1], window_size: [60] } } });
    expect(await call('PUT', '/consumer_groups/trial/overrides/plugins/rate-limiting-advanced', {})).toEqual({ status: 400, body: { message: 'No configuration provided' } });
    const bad = await call('PUT', '/consumer_groups/trial/overrides/plugins/rate-limiting-advanced', { config: { limit: [1, 2], window_size: [60] } });
    expect(bad.status).toBe(400);
    expect(String(bad.body?.message)).toContain('You must provide the same number of windows and limits');
    expect((await call('PUT', '/consumer_groups/nope/overrides/plugins/rate-limiting-advanced', { config: { limit: [1], window_size: [1] } }))).toEqual({ status: 404, body: { message: "Group 'nope' not found" } });
    // the file no longer matches: diff shows the new override, sync deletes it
    const d = await run(diff, ['tiers.yaml'], { exitCode: true });
    expect(d.out).toContain('Deleted: 1');
    expect((await run(sync, ['tiers.yaml'])).rc).toBe(0);
    expect((await call('DELETE', '/consumer_groups/trial/overrides/plugins/rate-limiting-advanced')).status).toBe(404);
    expect((await call('DELETE', '/consumer_groups/gold/overrides/plugins/rate-limiting-advanced')).status).toBe(204);
    expect((await call('GET', '/consumer_groups/gold')).body).not.toHaveProperty('plugins');
  });

  it('--consumer-group-policy-overrides reads a file without the _info key the same way; without either, the file is the decK upgrade error', async () => {
    const text = readFileSync(join(DIR, 'tiers.yaml'), 'utf8').replace('_info:\n  consumer_group_policy_overrides: true\n', '');
    const plain = join(tmp, 'plain.yaml');
    writeFileSync(plain, text);
    expect((await errorsOf(plain)).join('\n')).toMatch(/Please use Consumer Groups scoped Plugins/);
    expect(await errorsOf(plain, { consumerGroupPolicyOverrides: true })).toEqual([]);
    expect((await run(sync, [plain], { consumerGroupPolicyOverrides: true })).rc).toBe(0);
    expect(s.store.snapshot().entities.consumer_group_plugins).toHaveLength(2);
    const flagged = await run(diff, [plain], { exitCode: true, consumerGroupPolicyOverrides: true });
    expect(flagged.rc, flagged.out).toBe(0);
  });
});
