// bench/sync: 10,000 entities synced into an empty SQLite-backed aigw Admin API, then a no-op
// diff, then a one-entity change. Run after `npm run build`: node bench/sync/run.mjs [entities]
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { bufferIo } from '../../dist/src/cli/io.js';
import { command as sync } from '../../dist/src/commands/sync.js';
import { command as diff } from '../../dist/src/commands/diff.js';
import { loadState } from '../../dist/src/config/index.js';
import { AdminClient } from '../../dist/src/kong/client.js';
import { readState } from '../../dist/src/kong/read-state.js';

const total = Number(process.argv[2] ?? 10_000);
const unit = Math.floor(total / 10); // 1 service, 2 routes, 2 plugins, 2.5 consumers, 2.5 credentials per unit

function config(changed) {
  const services = [];
  for (let i = 0; i < unit; i++) {
    services.push({
      name: `svc-${i}`,
      url: `http://backend-${i % 50}.internal:8080/v1`,
      tags: ['bench'],
      routes: [0, 1].map((j) => ({
        name: `route-${i}-${j}`,
        paths: [changed && i === 0 && j === 0 ? `/changed/${i}/${j}` : `/svc/${i}/${j}`],
        plugins: [{ name: 'rate-limiting', config: { minute: 60 + j, policy: 'local' } }],
      })),
    });
  }
  const consumers = [];
  for (let i = 0; i < unit * 2.5; i++) consumers.push({ username: `user-${i}`, keyauth_credentials: [{ key: `key-${i}-${'x'.repeat(24)}` }] });
  return { _format_version: '3.0', services, consumers };
}

const dir = mkdtempSync(join(tmpdir(), 'aigw-bench-sync-'));
const file = join(dir, 'kong.yaml');
const child = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), [join(dir, 'gw.db')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const next = (type) => new Promise((res) => child.once('message', (m) => m.type === type && res(m)));
const { port } = await next('ready');
const opts = { kongAddr: `http://127.0.0.1:${port}` };
const counts = async () => {
  const p = next('counts');
  child.send({ type: 'counts' });
  return p;
};

async function step(label, cmd, extra = {}) {
  const io = bufferIo({ cwd: dir });
  const t0 = performance.now();
  const code = await cmd.run({ args: [file], opts: { ...opts, ...extra } }, io);
  const ms = performance.now() - t0;
  const c = await counts();
  const summary = io.stdout().split('\n').filter((l) => /^(Summary| {2}(Created|Updated|Deleted))/.test(l)).join(' ').replace(/\s+/g, ' ');
  console.log(`${label.padEnd(22)} exit ${code}  ${(ms / 1000).toFixed(2)} s  GET ${c.get}  writes ${c.write}  rebuilds ${c.rebuilds}  ${summary}`);
  if (code !== 0 && code !== 2) console.error(io.stderr());
  return { ms, ...c, code };
}

writeFileSync(file, stringify(config(false)));
console.log(`aigw bench/sync: ${unit * 10} entities (${unit} services, ${unit * 2} routes, ${unit * 2} plugins, ${unit * 2.5} consumers + key-auths), node ${process.version}`);
await counts();
const full = await step('full sync', sync);
const noops = [];
for (let i = 1; i <= 3; i++) noops.push(await step(`no-op diff #${i}`, diff));
const noop = [...noops].sort((a, b) => a.ms - b.ms)[1];
const cold = JSON.parse(execFileSync(process.execPath, [fileURLToPath(new URL('./cold-diff.mjs', import.meta.url)), file, opts.kongAddr], { encoding: 'utf8' }));
await counts();
console.log(`${'no-op diff, cold'.padEnd(22)} exit ${cold.code}  ${(cold.ms / 1000).toFixed(2)} s  (fresh process: imports + schema compile + load + read + plan)`);
const t0 = performance.now();
await loadState([file], { env: {}, cwd: dir });
console.log(`${'(load file only)'.padEnd(22)} ${((performance.now() - t0) / 1000).toFixed(2)} s  (src/config loader, warm)`);
const client = new AdminClient({ baseUrl: opts.kongAddr });
const t1 = performance.now();
await readState(client);
console.log(`${'(read current only)'.padEnd(22)} ${((performance.now() - t1) / 1000).toFixed(2)} s  (all kinds, pages of 1000, in parallel)`);
await client.close();
await counts();
const noopSync = await step('no-op sync', sync);
writeFileSync(file, stringify(config(true)));
const one = await step('one-entity change', sync);
child.send({ type: 'stop' });
rmSync(dir, { recursive: true, force: true });
const ok = full.code === 0 && full.ms < 20_000 && noop.ms < 2_000 && noopSync.write === 0 && one.write === 1;
console.log(`targets: full sync < 20 s: ${full.ms < 20_000}; no-op diff < 2 s (median of 3): ${noop.ms < 2_000}; one change = 1 write: ${one.write === 1}`);
process.exitCode = ok ? 0 : 1;
