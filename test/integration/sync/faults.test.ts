/**
 * Fault injection: an Admin API that fails (500), rate-limits (429) or drops the connection
 * mid-sync. A failed sync exits 1 and reports every failed and dropped op; a rerun converges.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as sync } from '../../../src/commands/sync.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const FILE = `_format_version: "3.0"
services:
  - name: good
    url: http://good.example.com
    routes:
      - name: good-r
        paths: [/good]
  - name: bad
    url: http://bad.example.com
    routes:
      - name: bad-r
        paths: [/bad]
        plugins:
          - name: cors
consumers:
${Array.from({ length: 20 }, (_, i) => `  - username: user${i}`).join('\n')}
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-faults-'));
  writeFileSync(join(dir, 'kong.yaml'), FILE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Fault = (req: IncomingMessage, res: ServerResponse) => boolean;

async function withFault(fault: { current: Fault | null }, body: (s: Running) => Promise<void>): Promise<void> {
  const s = await startAdmin({ intercept: (req, res) => fault.current?.(req, res) ?? false });
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

const run = async (s: Running, cmd = sync, extra: Record<string, unknown> = {}) => {
  const io = bufferIo({ cwd: dir });
  const code = await cmd.run({ args: ['kong.yaml'], opts: { kongAddr: s.url, retryBaseMs: 1, ...extra } }, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

describe('sync against a failing Admin API', () => {
  it('a persistent 500 on one service: exit 1, failure and dropped dependants reported, rerun converges', async () => {
    const fault: { current: Fault | null } = { current: null };
    await withFault(fault, async (s) => {
      const badId = { value: '' };
      fault.current = (req, res) => {
        if (req.method === 'PUT' && badId.value !== '' && req.url === `/services/${badId.value}`) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"message":"An unexpected error occurred"}');
          return true;
        }
        return false;
      };
      // learn the id the plan gives service "bad": it is derived from its name, stable across runs
      const dry = await run(s, sync, { dryRun: true, json: true });
      const report = JSON.parse(dry.out) as { changes: { creating: Array<{ name: string; kind: string; body: { new: { id: string } } }> } };
      badId.value = report.changes.creating.find((c) => c.kind === 'service' && c.name === 'bad')!.body.new.id;

      const first = await run(s);
      expect(first.code).toBe(1);
      expect(first.err).toMatch(/error: creating service bad failed: PUT \/services\/\S+: HTTP 500: An unexpected error occurred/);
      expect(first.err).toMatch(/Dropped creation of route bad-r/);
      expect(first.err).toMatch(/Dropped creation of plugin cors for route bad-r/);
      expect(first.err).toMatch(/sync incomplete: 1 failed, 2 dropped/);
      expect(first.out).toContain('creating service good');
      expect(first.out).toContain('Created: 22');
      // 1 try + 4 retries on the failing PUT
      expect(s.requests.filter((r) => r.method === 'PUT' && r.path === `/services/${badId.value}`)).toHaveLength(5);

      const json = await run(s, sync, { json: true });
      expect(json.code).toBe(1);
      const r = JSON.parse(json.out) as { errors: string[]; changes: { dropped_creations?: unknown[] }; summary: { total: number } };
      expect(r.errors).toHaveLength(1);
      expect(r.changes.dropped_creations).toHaveLength(2);
      expect(r.summary.total).toBe(0);

      fault.current = null;
      const second = await run(s);
      expect(second.code, second.err).toBe(0);
      expect(second.out).toContain('Created: 3');
      expect((await run(s, diff, { exitCode: true })).code).toBe(0);
    });
  });

  it('dropped connections and 429s on idempotent writes are retried and the sync succeeds', async () => {
    const fault: { current: Fault | null } = { current: null };
    await withFault(fault, async (s) => {
      let n = 0;
      fault.current = (req, res) => {
        if (req.method !== 'PUT') return false;
        n++;
        if (n % 5 === 0) {
          req.socket.destroy();
          return true;
        }
        if (n % 7 === 0) {
          res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
          res.end('{"message":"API rate limit exceeded"}');
          return true;
        }
        return false;
      };
      const r = await run(s);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('Created: 25');
      fault.current = null;
      expect((await run(s, diff, { exitCode: true })).code).toBe(0);
    });
  });

  it('the Admin API going away mid-sync: one message, no run-on; a rerun converges (issue 10 #8)', async () => {
    const fault: { current: Fault | null } = { current: null };
    await withFault(fault, async (s) => {
      let writes = 0;
      fault.current = (req) => {
        if (req.method === 'PUT' && ++writes > 10) {
          req.socket.destroy();
          return true;
        }
        return false;
      };
      const t0 = Date.now();
      const first = await run(s, sync, { retryBaseMs: 20 });
      expect(first.code).toBe(1);
      // no failure line per op that could not reach it: one line says what happened
      expect(first.err.split('\n').filter((l) => l.startsWith('error: creating'))).toEqual([]);
      const halt = first.err.split('\n').filter((l) => l.includes('stopped answering'));
      expect(halt).toHaveLength(1);
      expect(halt[0]).toMatch(/^error: AIGW_CONNECT: sync stopped: the Admin API at http:\/\/127\.0\.0\.1:\d+ stopped answering \(.+\) — \d+ consecutive changes could not reach it\. 10 of 25 changes done, \d+ failed, \d+ not attempted\./);
      const attempted = writes - 10;
      // the in-flight ops (parallelism 10) and their retries, not all 15 remaining ops × 5 attempts
      expect(attempted).toBeLessThan(15 * 5);
      expect(Date.now() - t0).toBeLessThan(15_000); // no hang (generous for a loaded machine)
      fault.current = null;
      const second = await run(s);
      expect(second.code, second.err).toBe(0);
      expect(second.out).toContain('Created: 15');
      expect((await run(s, diff, { exitCode: true })).code).toBe(0);
    });
  });

  it('an Admin API that dies for good: stops within seconds, not after every op retried (issue 10 #8)', async () => {
    const file = `_format_version: "3.0"\nconsumers:\n${Array.from({ length: 100 }, (_, i) => `  - username: u${i}`).join('\n')}\n`;
    writeFileSync(join(dir, 'many.yaml'), file);
    let s = await startAdmin({
      intercept: (req) => {
        if (req.method === 'PUT' && s.requests.filter((r) => r.method === 'PUT').length === 20) void s.close();
        return false;
      },
    });
    const port = Number(new URL(s.url).port);
    const io = bufferIo({ cwd: dir });
    const t0 = Date.now();
    const code = await sync.run({ args: ['many.yaml'], opts: { kongAddr: s.url, retryBaseMs: 150 } }, io);
    const ms = Date.now() - t0;
    expect(code).toBe(1);
    const err = io.stderr();
    expect(err.match(/stopped answering/g)).toHaveLength(1);
    expect(err).toMatch(/\d+ not attempted/);
    expect(err).not.toMatch(/^error: creating consumer/m);
    // the old behaviour: every remaining op retried with backoff (about 80 × 2.25 s / 10 = 18 s here, 81 s in
    // the report); the new one stops after the in-flight ops' retries (about 2.25 s). Room for a loaded machine.
    expect(ms).toBeLessThan(12_000);
    // the same store comes back on the same port: a rerun converges
    s = await startAdmin({ store: s.store, port });
    try {
      const again = bufferIo({ cwd: dir });
      expect(await sync.run({ args: ['many.yaml'], opts: { kongAddr: s.url } }, again), again.stderr()).toBe(0);
      expect(s.store.count('consumers')).toBe(100);
      expect(await diff.run({ args: ['many.yaml'], opts: { kongAddr: s.url, exitCode: true } }, bufferIo({ cwd: dir }))).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('an unreachable Admin API is a connection error, not a crash', async () => {
    const s = await startAdmin();
    const url = s.url;
    await s.close();
    const io = bufferIo({ cwd: dir });
    await expect(sync.run({ args: ['kong.yaml'], opts: { kongAddr: url, retryBaseMs: 1 } }, io)).rejects.toMatchObject({ code: 'AIGW_CONNECT' });
  });
});
