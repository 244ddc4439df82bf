// Minimal closed-loop HTTP load generator (node:http keep-alive; loopback only).
// usage: node loadgen.mjs <url> <connections> <durationMs> [headerJson]
// prints {"requests","errors","rps","p50","p90","p99"} (latencies in ms)
import http from 'node:http';

const [url, conns, durationMs, headerJson] = process.argv.slice(2);
const u = new URL(url);
if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error('loopback only');
const connections = Number(conns);
const duration = Number(durationMs);
const headers = headerJson ? JSON.parse(headerJson) : {};
const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
const latencies = [];
let errors = 0;
let statusErrors = 0;
const end = Date.now() + duration;

function once() {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (res.statusCode !== 200) statusErrors++;
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end();
  });
}

async function loop() {
  while (Date.now() < end) await once();
}

const t0 = Date.now();
await Promise.all(Array.from({ length: connections }, loop));
const elapsed = (Date.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
process.stdout.write(JSON.stringify({
  requests: latencies.length, errors, statusErrors, rps: latencies.length / elapsed, p50: pct(50), p90: pct(90), p99: pct(99),
}) + '\n');
agent.destroy();
