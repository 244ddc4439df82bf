/**
 * Round trip property: a random state file → sync → dump → the dump loads to the same State as the
 * original (and as the gateway's), a second sync is a no-op, and diff of either file is empty.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as sync } from '../../../src/commands/sync.js';
import { loadState } from '../../../src/config/index.js';
import { emptyState, type State } from '../../../src/config/state.js';
import { plan } from '../../../src/diff/plan.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const name = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta');
const tag = fc.constantFrom('t1', 't2', 'prod');

const plugin = fc.oneof(
  fc.record({ name: fc.constant('cors'), config: fc.record({ origins: fc.array(fc.constantFrom('https://a.example', 'https://b.example'), { minLength: 1, maxLength: 2 }) }) }),
  fc.record({ name: fc.constant('rate-limiting'), config: fc.record({ minute: fc.integer({ min: 1, max: 1000 }), policy: fc.constant('local') }) }),
);

const route = (svc: string) =>
  fc.record({
    suffix: name,
    paths: fc.uniqueArray(fc.constantFrom('/a', '/b', '/c/d'), { minLength: 1, maxLength: 3 }),
    strip_path: fc.boolean(),
    plugins: fc.uniqueArray(plugin, { maxLength: 2, selector: (p) => p.name }),
  }).map((r) => ({ name: `${svc}-${r.suffix}`, paths: r.paths, strip_path: r.strip_path, ...(r.plugins.length > 0 ? { plugins: r.plugins } : {}) }));

const service = name.chain((n) =>
  fc.record({
    name: fc.constant(n),
    url: fc.constantFrom('http://a.example.com', 'https://b.example.com:8443/v1'),
    retries: fc.integer({ min: 0, max: 10 }),
    tags: fc.uniqueArray(tag, { maxLength: 2 }),
    routes: fc.uniqueArray(route(n), { maxLength: 3, selector: (r) => r.name }),
    plugins: fc.uniqueArray(plugin, { maxLength: 1, selector: (p) => p.name }),
  }),
);

const consumer = name.chain((n) =>
  fc.record({
    username: fc.constant(`user-${n}`),
    keyauth_credentials: fc.uniqueArray(fc.constantFrom('k1', 'k2', 'k3').map((k) => ({ key: `${n}-${k}` })), { maxLength: 2, selector: (k) => k.key }),
    acls: fc.uniqueArray(fc.constantFrom('admins', 'readers').map((group) => ({ group })), { maxLength: 2, selector: (a) => a.group }),
  }),
);

const upstream = name.chain((n) =>
  fc.record({
    name: fc.constant(`up-${n}`),
    targets: fc.uniqueArray(fc.record({ target: fc.constantFrom('10.0.0.1:80', '10.0.0.2:80'), weight: fc.integer({ min: 0, max: 100 }) }), { maxLength: 2, selector: (t) => t.target }),
  }),
);

const file = fc.record({
  services: fc.uniqueArray(service, { maxLength: 3, selector: (s) => s.name }),
  consumers: fc.uniqueArray(consumer, { maxLength: 3, selector: (c) => c.username }),
  upstreams: fc.uniqueArray(upstream, { maxLength: 2, selector: (u) => u.name }),
  plugins: fc.uniqueArray(fc.constantFrom({ name: 'correlation-id' }, { name: 'prometheus' }), { maxLength: 2, selector: (p) => p.name }),
});

let s: Running;
let dir: string;
beforeAll(async () => {
  s = await startAdmin();
  dir = mkdtempSync(join(tmpdir(), 'aigw-roundtrip-'));
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function load(path: string): Promise<State> {
  const r = await loadState([path], { env: {}, cwd: dir });
  if (r.state === null) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.state;
}

describe('round trip', () => {
  it('random state → sync → dump → same state; second sync and diffs are no-ops', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (content) => {
        s.store.replaceAll(emptyState());
        const path = join(dir, 'in.yaml');
        writeFileSync(path, stringify({ _format_version: '3.0', ...content }));
        const opts = { kongAddr: s.url };
        const io = bufferIo({ cwd: dir });
        expect(await sync.run({ args: [path], opts }, io), io.stderr()).toBe(0);
        const again = bufferIo({ cwd: dir });
        expect(await sync.run({ args: [path], opts }, again)).toBe(0);
        expect(again.stdout()).toContain('Created: 0\n  Updated: 0\n  Deleted: 0');

        const out = join(dir, 'dump.yaml');
        expect(await dump.run({ args: [], opts: { ...opts, showSecrets: true, outputFile: out } }, bufferIo({ cwd: dir }))).toBe(0);
        const original = await load(path);
        const dumped = await load(out);
        expect(plan(original, dumped).ops).toEqual([]);
        expect(plan(s.store.snapshot(), dumped).ops).toEqual([]);
        const d = bufferIo({ cwd: dir });
        expect(await diff.run({ args: [out], opts: { ...opts, exitCode: true } }, d), d.stdout()).toBe(0);
      }),
      { numRuns: 25 },
    );
  });
});
