import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as ping } from '../../../src/commands/ping.js';
import { command as reset } from '../../../src/commands/reset.js';
import { command as sync } from '../../../src/commands/sync.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const BASE = `_format_version: "3.0"
services:
  - name: svc
    url: http://svc.example.com
    tags: [team-a]
    routes:
      - name: r
        paths: [/r]
        tags: [team-a]
  - name: other
    url: http://other.example.com
    tags: [team-b]
consumers:
  - username: alice
    tags: [team-a]
    keyauth_credentials:
      - key: alice-secret-key
        tags: [team-a]
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-cmd-'));
  writeFileSync(join(dir, 'kong.yaml'), BASE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = (extra: Parameters<typeof bufferIo>[0] = {}) => bufferIo({ cwd: dir, ...extra });

describe('ping', () => {
  it('prints version, edition and database mode; token errors are reported', async () => {
    const s = await startAdmin({ token: 'tok' });
    try {
      const ok = io();
      expect(await ping.run({ args: [], opts: { kongAddr: s.url, adminToken: 'tok' } }, ok)).toBe(0);
      expect(ok.stdout()).toContain('Kong version:  3.10.0');
      expect(ok.stdout()).toContain('Database mode: database (memory)');
      const viaEnv = io({ env: { AIGW_ADMIN_TOKEN: 'tok' } });
      expect(await ping.run({ args: [], opts: { kongAddr: s.url, json: true } }, viaEnv)).toBe(0);
      expect(JSON.parse(viaEnv.stdout())).toMatchObject({ reachable: true, dbless: false });
      await expect(ping.run({ args: [], opts: { kongAddr: s.url } }, io())).rejects.toMatchObject({ code: 'AIGW_ADMIN_API', message: expect.stringContaining('401') });
      await expect(ping.run({ args: [], opts: { kongAddr: 'not a url' } }, io())).rejects.toMatchObject({ code: 'AIGW_USAGE' });
      await expect(ping.run({ args: [], opts: { kongAddr: s.url, header: ['nocolon'] } }, io())).rejects.toMatchObject({ code: 'AIGW_USAGE' });
    } finally {
      await s.close();
    }
  });
});

describe('select tags, skip consumers, reset', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startAdmin();
  });
  afterAll(() => s.close());
  const opts = (o: Record<string, unknown> = {}) => ({ kongAddr: s.url, ...o });

  it('diff --select-tag only sees and manages tagged entities', async () => {
    expect(await sync.run({ args: ['kong.yaml'], opts: opts() }, io())).toBe(0);
    writeFileSync(join(dir, 'team-a.yaml'), `_format_version: "3.0"\n_info:\n  select_tags: [team-a]\nservices:\n  - name: svc\n    url: http://svc.example.com\n`);
    const d = io();
    expect(await diff.run({ args: ['team-a.yaml'], opts: opts({ exitCode: true }) }, d)).toBe(2);
    // the team-b service is outside the selection: never deleted
    expect(d.stdout()).not.toContain('other');
    expect(d.stdout()).toContain('deleting route r');
    expect(d.stdout()).toContain('deleting consumer alice');
    await expect(diff.run({ args: ['team-a.yaml'], opts: opts({ selectTag: ['team-b'] }) }, io())).rejects.toMatchObject({ code: 'AIGW_USAGE' });
  });

  it('--skip-consumers leaves consumers and credentials alone', async () => {
    writeFileSync(join(dir, 'no-consumers.yaml'), BASE.slice(0, BASE.indexOf('consumers:')));
    const d = io();
    expect(await diff.run({ args: ['no-consumers.yaml'], opts: opts({ exitCode: true, skipConsumers: true }) }, d)).toBe(0);
    const without = io();
    expect(await diff.run({ args: ['no-consumers.yaml'], opts: opts({ exitCode: true }) }, without)).toBe(2);
    expect(without.stdout()).toContain('deleting consumer alice');
    expect(without.stdout()).not.toContain('alice-secret-key');
  });

  it('reset asks first, honours --select-tag, and deletes everything with --yes', async () => {
    const refused = io({ confirm: false });
    expect(await reset.run({ args: [], opts: opts() }, refused)).toBe(1);
    expect(s.store.count('services')).toBe(2);
    const scoped = io();
    expect(await reset.run({ args: [], opts: opts({ selectTag: ['team-b'], yes: true }) }, scoped)).toBe(0);
    expect(s.store.list('services').map((e) => e.name)).toEqual(['svc']);
    const all = io({ confirm: true });
    expect(await reset.run({ args: [], opts: opts() }, all)).toBe(0);
    expect(all.stdout()).toContain('Deleted: 4');
    expect(s.store.snapshot().entities.routes).toHaveLength(0);
    expect(s.store.count('keyauth_credentials')).toBe(0);
    const nothing = io();
    expect(await reset.run({ args: [], opts: opts({ yes: true }) }, nothing)).toBe(0);
    expect(nothing.stdout()).toContain('Nothing to delete.');
  });
});

describe('a target that serves some kinds only under their parent (Kong has no /targets)', () => {
  it('reads them per parent, writes them nested, and converges', async () => {
    const s = await startAdmin({ intercept: (req, res) => {
      if (!/^\/(targets|key-auths)(\?|\/|$)/.test(req.url ?? '')) return false;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"Not found"}');
      return true;
    } });
    try {
      writeFileSync(join(dir, 'up.yaml'), `${BASE}upstreams:\n  - name: pool\n    targets:\n      - target: 10.0.0.1:80\n      - target: 10.0.0.2:80\n`);
      const first = io();
      expect(await sync.run({ args: ['up.yaml'], opts: { kongAddr: s.url } }, first), first.stderr()).toBe(0);
      expect(s.store.count('targets')).toBe(2);
      expect(s.requests.some((r) => r.method === 'PUT' && /^\/upstreams\/[^/]+\/targets\/[^/]+$/.test(r.path))).toBe(true);
      expect(s.requests.some((r) => r.method === 'PUT' && /^\/consumers\/[^/]+\/key-auth\/[^/]+$/.test(r.path))).toBe(true);
      const again = io();
      expect(await diff.run({ args: ['up.yaml'], opts: { kongAddr: s.url, exitCode: true } }, again), again.stdout()).toBe(0);
    } finally {
      await s.close();
    }
  });
});

describe('diff --json', () => {
  it('carries loader warnings, and a plugin the target refuses fails sync with exit 1', async () => {
    const s = await startAdmin();
    try {
      writeFileSync(join(dir, 'unknown.yaml'), `_format_version: "3.0"\nplugins:\n  - name: my-custom-plugin\n`);
      const d = io();
      expect(await diff.run({ args: ['unknown.yaml'], opts: { kongAddr: s.url, json: true } }, d)).toBe(0);
      const report = JSON.parse(d.stdout()) as { warnings: string[]; summary: { creating: number } };
      expect(report.warnings.join('\n')).toContain('my-custom-plugin');
      expect(report.summary.creating).toBe(1);
      const r = io();
      expect(await sync.run({ args: ['unknown.yaml'], opts: { kongAddr: s.url, retryBaseMs: 1 } }, r)).toBe(1);
      expect(r.stderr()).toContain("plugin 'my-custom-plugin' not enabled");
    } finally {
      await s.close();
    }
  });
});

describe('DB-less target (aigw serve FILE)', () => {
  it('sync pushes the whole config through POST /config in one call, then diff is clean', async () => {
    const s = await startAdmin({ mode: 'declarative' });
    try {
      const r = io();
      expect(await sync.run({ args: ['kong.yaml'], opts: { kongAddr: s.url } }, r), r.stderr()).toBe(0);
      expect(r.stdout()).toContain('Created: 5');
      const writes = s.requests.filter((q) => q.method !== 'GET');
      expect(writes).toEqual([{ method: 'POST', path: '/config' }]);
      expect(s.store.count('services')).toBe(2);
      expect(await diff.run({ args: ['kong.yaml'], opts: { kongAddr: s.url, exitCode: true } }, io())).toBe(0);
      const noop = io();
      expect(await sync.run({ args: ['kong.yaml'], opts: { kongAddr: s.url } }, noop)).toBe(0);
      expect(s.requests.filter((q) => q.method !== 'GET')).toHaveLength(1);
      await expect(sync.run({ args: ['kong.yaml'], opts: { kongAddr: s.url, skipConsumers: true } }, io())).rejects.toMatchObject({ code: 'AIGW_USAGE' });
      const gone = io();
      expect(await reset.run({ args: [], opts: { kongAddr: s.url, yes: true } }, gone), gone.stderr()).toBe(0);
      expect(s.store.count('services')).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a config the target rejects: exit 1, nothing applied, reason printed', async () => {
    const s = await startAdmin({ mode: 'declarative', intercept: (req, res) => {
      if (req.method !== 'POST') return false;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"code":14,"name":"invalid declarative configuration","message":"declarative config is invalid: {}"}');
      return true;
    } });
    try {
      const r = io();
      expect(await sync.run({ args: ['kong.yaml'], opts: { kongAddr: s.url } }, r)).toBe(1);
      expect(r.stderr()).toContain('declarative config is invalid');
      expect(r.stdout()).toContain('Created: 0');
      expect(s.store.count('services')).toBe(0);
    } finally {
      await s.close();
    }
  });
});

describe('dump', () => {
  it('is deterministic, redacts secrets unless asked, writes JSON and --with-id', async () => {
    const s = await startAdmin();
    try {
      expect(await sync.run({ args: ['kong.yaml'], opts: { kongAddr: s.url } }, io())).toBe(0);
      const a = io();
      const b = io();
      await dump.run({ args: [], opts: { kongAddr: s.url } }, a);
      await dump.run({ args: [], opts: { kongAddr: s.url } }, b);
      expect(a.stdout()).toBe(b.stdout());
      expect(a.stdout()).not.toContain('alice-secret-key');
      expect(a.stdout()).toContain('[masked]');
      expect(a.stderr()).toContain('--show-secrets');
      const out = join(dir, 'dump.json');
      await dump.run({ args: [], opts: { kongAddr: s.url, format: 'json', withId: true, showSecrets: true, outputFile: out } }, io());
      const json = JSON.parse(readFileSync(out, 'utf8')) as { services: Array<{ id?: string; name: string }>; consumers: Array<{ keyauth_credentials: Array<{ key: string }> }> };
      expect(json.services.map((x) => x.name)).toEqual(['other', 'svc']);
      expect(typeof json.services[0].id).toBe('string');
      expect(json.consumers[0].keyauth_credentials[0].key).toBe('alice-secret-key');
      await expect(dump.run({ args: [], opts: { kongAddr: s.url, format: 'toml' } }, io())).rejects.toMatchObject({ code: 'AIGW_USAGE' });
    } finally {
      await s.close();
    }
  });
});

describe('renaming a consumer that keeps its custom_id (issue 10 #5)', () => {
  it('is one in-place update: the consumer, its id and its credential survive', async () => {
    const s = await startAdmin();
    try {
      const v1 = `_format_version: "3.0"\nconsumers:\n  - username: alice\n    custom_id: cust-1\n    keyauth_credentials:\n      - key: alice-key-0123456789\n`;
      writeFileSync(join(dir, 'rename.yaml'), v1);
      expect(await sync.run({ args: ['rename.yaml'], opts: { kongAddr: s.url } }, io())).toBe(0);
      const before = s.store.list('consumers');
      writeFileSync(join(dir, 'rename.yaml'), v1.replace('username: alice', 'username: alice-renamed'));
      const d = io();
      expect(await diff.run({ args: ['rename.yaml'], opts: { kongAddr: s.url, exitCode: true } }, d)).toBe(2);
      expect(d.stdout()).toContain('updating consumer alice-renamed');
      expect(d.stdout()).not.toContain('deleting');
      expect(d.stdout()).not.toContain('creating');
      const r = io();
      expect(await sync.run({ args: ['rename.yaml'], opts: { kongAddr: s.url } }, r), r.stderr()).toBe(0);
      const after = s.store.list('consumers');
      expect(after.map((c) => [c.id, c.username, c.custom_id])).toEqual([[before[0].id, 'alice-renamed', 'cust-1']]);
      expect(s.store.count('keyauth_credentials')).toBe(1);
      expect(await diff.run({ args: ['rename.yaml'], opts: { kongAddr: s.url, exitCode: true } }, io())).toBe(0);
    } finally {
      await s.close();
    }
  });
});
