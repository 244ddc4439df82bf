// Gateway overhead benchmark: the same load against a local mock upstream directly and through
// aigw (key-auth + rate-limiting + prometheus on the route), in one run.
//   npm run build && node bench/proxy/run.mjs [--duration 5000] [--connections 50]
import { child as spawnChild, firstLine, runLoad } from '../harness.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.AIGW_DIST ?? join(here, '..', '..', 'dist');
const arg = (name, d) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const duration = arg('duration', 5000);
const connections = arg('connections', 50);

const { loadStateFromText } = await import(pathToFileURL(join(dist, 'src/config/index.js')).href);
const { startGateway } = await import(pathToFileURL(join(dist, 'src/gateway/server.js')).href);
const { silentLogger } = await import(pathToFileURL(join(dist, 'src/gateway/log.js')).href);

const child = (script, args = []) => spawnChild(here, script, args);
const load = (url, c, ms, headers) => runLoad(child('loadgen.mjs', [url, String(c), String(ms), JSON.stringify(headers)]));

const upstream = child('upstream.mjs');
const port = Number(await firstLine(upstream));
const state = await loadStateFromText(`
_format_version: "3.0"
services:
- name: bench
  url: http://127.0.0.1:${port}
  routes:
  - name: bench
    paths: [/bench]
    plugins:
    - name: key-auth
    - name: rate-limiting
      config: { hour: 1000000000, limit_by: consumer }
    - name: prometheus
      config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true }
consumers:
- username: bench
  keyauth_credentials: [{ key: bench-key }]
`);
const gw = await startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger: silentLogger, accessLog: 'off' });
const direct = `http://127.0.0.1:${port}/bench`;
const through = `${gw.proxyUrl}/bench`;
const headers = { apikey: 'bench-key' };

await load(direct, connections, 1000, headers);
await load(through, connections, 1000, headers);
const d50 = await load(direct, connections, duration, headers);
const g50 = await load(through, connections, duration, headers);
const d1 = await load(direct, 1, duration, headers);
const g1 = await load(through, 1, duration, headers);

const f = (n) => n.toFixed(2);
console.log(`duration ${duration} ms per run, node ${process.version}`);
console.log(`c=${connections}  direct   ${Math.round(d50.rps)} req/s  p50 ${f(d50.p50)} ms  p99 ${f(d50.p99)} ms  errors ${d50.errors + d50.statusErrors}`);
console.log(`c=${connections}  via aigw ${Math.round(g50.rps)} req/s  p50 ${f(g50.p50)} ms  p99 ${f(g50.p99)} ms  errors ${g50.errors + g50.statusErrors}`);
console.log(`c=1   direct   ${Math.round(d1.rps)} req/s  p50 ${f(d1.p50)} ms  p99 ${f(d1.p99)} ms`);
console.log(`c=1   via aigw ${Math.round(g1.rps)} req/s  p50 ${f(g1.p50)} ms  p99 ${f(g1.p99)} ms`);
console.log(`ratio req/s at c=${connections}: ${(100 * g50.rps / d50.rps).toFixed(1)}% of direct (target >= 25%)`);
console.log(`added p50 latency at c=1: ${f(g1.p50 - d1.p50)} ms (target < 0.2 ms); added p99: ${f(g1.p99 - d1.p99)} ms`);

await gw.close(1000);
upstream.kill('SIGTERM');
