// bench/sync, Konnect scenario: entities synced into the rate-limited Konnect test server
// (test/helpers/konnect-server.ts, compiled here), first a parallelism sweep on a smaller file, then
// the full sync at the default parallelism. Reports time, requests, 429s seen.
//   npm run build && node bench/sync/konnect.mjs [entities] [sweep-entities]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { bufferIo } from '../../dist/src/cli/io.js';
import { command as sync } from '../../dist/src/commands/sync.js';
import { command as diff } from '../../dist/src/commands/diff.js';
import { KONNECT_PARALLELISM } from '../../dist/src/commands/deck/target.js';

const total = Number(process.argv[2] ?? 10_000);
const sweepTotal = Number(process.argv[3] ?? 1_000);
// Konnect publishes no limits: a plausible per-org limit and round trip, stated in the output
const LIMIT = { perSecond: 100, burst: 50 };
const LATENCY_MS = 40;
const TOKEN = 'kpat_BenchToken0123456789';

const root = fileURLToPath(new URL('../..', import.meta.url));
const build = mkdtempSync(join(tmpdir(), 'aigw-bench-konnect-'));
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--outDir', build, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', join(root, 'test/helpers/konnect-server.ts')], { cwd: root });
const { startKonnectServer } = await import(join(build, 'konnect-server.js'));

/** 1 service, 2 routes, 2 plugins, 2.5 consumers, 2.5 key-auths per 10 entities (as bench/sync/run.mjs). */
function config(n) {
  const unit = Math.floor(n / 10);
  const services = [];
  for (let i = 0; i < unit; i++) {
    services.push({
      name: `svc-${i}`,
      url: `http://backend-${i % 50}.internal:8080/v1`,
      tags: ['bench'],
      routes: [0, 1].map((j) => ({ name: `route-${i}-${j}`, paths: [`/svc/${i}/${j}`], plugins: [{ name: 'rate-limiting', config: { minute: 60 + j, policy: 'local' } }] })),
    });
  }
  const consumers = [];
  for (let i = 0; i < unit * 2.5; i++) consumers.push({ username: `user-${i}`, keyauth_credentials: [{ key: `key-${i}-${'x'.repeat(24)}` }] });
  return { _format_version: '3.0', services, consumers };
}

const dir = mkdtempSync(join(tmpdir(), 'aigw-bench-konnect-files-'));
async function run(n, parallelism, label) {
  const srv = await startKonnectServer({ tokens: [TOKEN], controlPlanes: [{ name: 'bench' }], rateLimit: LIMIT, latencyMs: LATENCY_MS });
  const file = join(dir, `kong-${n}.yaml`);
  writeFileSync(file, stringify(config(n)));
  const opts = { konnectToken: TOKEN, konnectControlPlaneName: 'bench', konnectAddr: srv.url, ...(parallelism === undefined ? {} : { parallelism: String(parallelism) }) };
  const io = bufferIo({ cwd: dir });
  const t0 = performance.now();
  const code = await sync.run({ args: [file], opts }, io);
  const ms = performance.now() - t0;
  const requests = srv.stats.total;
  const limited = srv.stats.rateLimited;
  const stored = ['services', 'routes', 'plugins', 'consumers', 'key-auths'].reduce((a, k) => a + srv.controlPlane('bench').entities(k).length, 0);
  let noop = null;
  if (label === 'full') {
    const d = bufferIo({ cwd: dir });
    const t1 = performance.now();
    const dc = await diff.run({ args: [file], opts: { ...opts, nonZeroExitCode: true } }, d);
    noop = { code: dc, ms: performance.now() - t1 };
  }
  await srv.close();
  const line = `${label.padEnd(6)} ${String(n).padStart(6)} entities  parallelism ${String(parallelism ?? `${KONNECT_PARALLELISM} (default)`).padEnd(12)} exit ${code}  ${(ms / 1000).toFixed(1).padStart(6)} s  ${(n / (ms / 1000)).toFixed(0).padStart(4)} entities/s  requests ${requests}  429s ${limited}  stored ${stored}`;
  console.log(line + (noop ? `\n       no-op diff afterwards: exit ${noop.code}, ${(noop.ms / 1000).toFixed(1)} s` : ''));
  if (code !== 0) console.error(io.stderr().split('\n').slice(-5).join('\n'));
  return { n, parallelism, ms, requests, limited, code, stored };
}

console.log(`aigw bench/sync (Konnect): test server limit ${LIMIT.perSecond} req/s (burst ${LIMIT.burst}), ${LATENCY_MS} ms per answer, node ${process.version}`);
const sweep = [];
for (const p of [1, 2, 4, 8, 10, 16]) sweep.push(await run(sweepTotal, p, 'sweep'));
const full = await run(total, undefined, 'full');
rmSync(dir, { recursive: true, force: true });
rmSync(build, { recursive: true, force: true });
const ok = full.code === 0 && full.stored === total;
console.log(`full sync converged with nothing lost: ${ok}`);
process.exitCode = ok ? 0 : 1;
