// Closed-loop POST client for the AI benchmark (node:http keep-alive, loopback only, bounded). wrk
// drives the load; this one measures what wrk cannot see: time to first byte of a stream, at 1 connection.
// usage: node loadgen.mjs '<json>' with {url, connections, durationMs, headers, body, vary?}
// vary: every "{n}" in the body becomes a per-request counter (unique prompts: semantic-cache misses).
// prints {"requests","errors","statusErrors","rps","p50","p99","ttft50","ttft99","span50","events"} (ms):
// ttft = request start → first body byte; span = first body byte → end; events = mean SSE events per reply.
import http from 'node:http';

const cfg = JSON.parse(process.argv[2]);
const u = new URL(cfg.url);
if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error('loopback only');
const connections = Math.min(Number(cfg.connections), 256);
const duration = Math.min(Number(cfg.durationMs), 60_000);
const template = JSON.stringify(cfg.body);
const fixed = Buffer.from(template);
let counter = 0;
const nextBody = () => (cfg.vary ? Buffer.from(template.replaceAll('{n}', String(counter++))) : fixed);
const baseHeaders = { 'content-type': 'application/json', ...(cfg.headers ?? {}) };
const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
const total = [];
const ttft = [];
const span = [];
let events = 0;
let errors = 0;
let statusErrors = 0;
const end = Date.now() + duration;

function once() {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    let first = null;
    const body = nextBody();
    const headers = { ...baseHeaders, 'content-length': body.length };
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers, agent }, (res) => {
      res.on('data', (c) => {
        first ??= process.hrtime.bigint();
        for (let i = c.indexOf('data:'); i >= 0; i = c.indexOf('data:', i + 5)) events++;
      });
      res.on('end', () => {
        const now = process.hrtime.bigint();
        if (res.statusCode !== 200) statusErrors++;
        total.push(Number(now - start) / 1e6);
        if (first !== null) {
          ttft.push(Number(first - start) / 1e6);
          span.push(Number(now - first) / 1e6);
        }
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
}

async function loop() {
  while (Date.now() < end) await once();
}

const t0 = Date.now();
await Promise.all(Array.from({ length: connections }, loop));
const elapsed = (Date.now() - t0) / 1000;
const pct = (list, p) => {
  const s = [...list].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
process.stdout.write(JSON.stringify({
  requests: total.length, errors, statusErrors, rps: total.length / elapsed, p50: pct(total, 50), p99: pct(total, 99),
  ttft50: pct(ttft, 50), ttft99: pct(ttft, 99), span50: pct(span, 50), events: total.length ? events / total.length : 0,
}) + '\n');
agent.destroy();
