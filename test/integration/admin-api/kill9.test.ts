/**
 * Durability: every write the SQLite-backed Admin API acknowledged survives `kill -9` of the
 * process. Runs the built server (dist/, produced by `npm test`'s build step) in a child process.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../../src/gateway/admin-api/sqlite-store.js';

const DIST = resolve(import.meta.dirname, '../../../dist/src/gateway/admin-api');
const built = existsSync(join(DIST, 'api.js')) && existsSync(join(DIST, 'sqlite-store.js'));

describe.skipIf(!built)('SQLite store and kill -9', () => {
  it('keeps every acknowledged write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-kill9-'));
    try {
      const script = join(dir, 'server.mjs');
      writeFileSync(
        script,
        `import { createServer } from 'node:http';
import { createAdminApi } from ${JSON.stringify(join(DIST, 'api.js'))};
import { sqliteStore } from ${JSON.stringify(join(DIST, 'sqlite-store.js'))};
const handler = createAdminApi({ store: sqliteStore(process.argv[2]), mode: 'db', version: 'test', onChange: () => {} });
const server = createServer((req, res) => void handler(req, res));
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`,
      );
      const db = join(dir, 'gw.db');
      const child = fork(script, [db], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      const port = await new Promise<number>((r) => child.once('message', (m) => r(Number(m))));
      const acked: string[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await request(`http://127.0.0.1:${port}/consumers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: `u${i}` }),
        });
        await res.body.text();
        if (res.statusCode === 201) acked.push(`u${i}`);
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(acked).toHaveLength(30);
      const store = sqliteStore(db);
      expect(store.list('consumers').map((e) => e.username).sort()).toEqual([...acked].sort());
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
