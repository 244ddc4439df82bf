// The processes the gateway benchmarks run, all through the built CLI (`dist/bin/aigw.js`; set
// AIGW_CLI to use another build) so a change of aigw's internal layout cannot break them:
// `aigw serve <file>` with its listeners on free ports, `aigw mock`, the bare proxy, a plain upstream.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowUs, start } from './harness.mjs';

const here = import.meta.dirname;
export const CLI = process.env.AIGW_CLI ?? join(here, '..', 'dist', 'bin', 'aigw.js');
export const KEY = 'bench-key';
const dir = mkdtempSync(join(tmpdir(), 'aigw-bench-'));

/** Write a state file into this run's temporary directory; returns its path. */
export function configFile(name, text) {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

// BENCH_NODE_FLAGS: node flags for every aigw serve process (experiments: --max-semi-space-size=4)
const extraNodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const url = (line) => /listening on (http:\/\/[^\s"\\]+)/.exec(line)?.[1];

/**
 * `aigw serve <file>`: proxy on a free port, admin listener on a free port when `admin`, JSON logs
 * (lines kept with their arrival time), no access log, no file watch unless `watch`.
 * `node`: extra node flags (profiling); `cli`: another build's aigw.js (experiments); `extra`: more serve flags. Resolves once the proxy listens: {…process, url, adminUrl,
 * spawnedAt, readyAt} (µs, CLOCK_MONOTONIC).
 */
export async function serve(file, { cpu, admin = false, watch = false, node = [], name = 'aigw', env, cli = CLI, extra = [] } = {}) {
  const args = [...extraNodeFlags, ...node, cli, 'serve', file, '--listen', '127.0.0.1:0', '--admin-listen', admin ? '127.0.0.1:0' : 'off', '--log-format', 'json', '--no-access-log', ...extra];
  if (!watch) args.push('--no-watch');
  const spawnedAt = nowUs();
  const p = start(name, process.execPath, args, { cpu, env });
  const ready = await p.waitFor(/proxy listening on/);
  const adminLine = admin ? await p.waitFor(/status\/admin listening on/) : null;
  return Object.assign(p, { url: url(ready.line), adminUrl: adminLine ? url(adminLine.line) : null, spawnedAt, readyAt: ready.at });
}

/** `aigw mock` on a free port, accepting only KEY. */
export async function mock({ cpu } = {}) {
  const p = start('mock', process.execPath, [CLI, 'mock', '--listen', '127.0.0.1:0', '--require-key', KEY, '--no-color'], { cpu });
  return Object.assign(p, { url: url((await p.waitFor(/listening on/)).line) });
}

/** The bare node:http + undici proxy (bench/bare-proxy.mjs) in front of `target`. */
export async function bareProxy(target, { cpu, json = null, node = [], env } = {}) {
  const extra = json ? ['--json', json.model, String(json.maxTokens), json.authorization] : [];
  const spawnedAt = nowUs();
  const p = start('bare', process.execPath, [...node, join(here, 'bare-proxy.mjs'), target, ...extra], { cpu, env });
  const ready = await p.waitFor(/listening on/);
  return Object.assign(p, { url: url(ready.line), spawnedAt, readyAt: ready.at });
}

/** A plain HTTP upstream answering a 60-byte JSON body (bench/proxy/upstream.mjs). */
export async function upstream({ cpu } = {}) {
  const p = start('upstream', process.execPath, [join(here, 'proxy', 'upstream.mjs')], { cpu });
  return Object.assign(p, { url: `http://127.0.0.1:${Number((await p.waitFor(/^\d+$/)).line)}` });
}

/**
 * A/B variants of `aigw serve`, `"name=<tokens>;name2=…"`: `node:--flag` goes to node (V8 flags),
 * `env:NAME=value` into the gateway's environment, anything else to `aigw serve`;
 * `name@path/to/aigw.js=…` runs another build. → [{name, cli, flags, node, env}]
 */
export function parseVariants(text) {
  return String(text).split(';').filter(Boolean).map((v) => {
    const i = v.indexOf('=');
    const [name, cli] = v.slice(0, i).split('@');
    const tokens = v.slice(i + 1).split(' ').filter(Boolean);
    const env = Object.fromEntries(tokens.filter((t) => t.startsWith('env:')).map((t) => [t.slice(4, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
    return {
      name, cli: cli ?? CLI, env: { ...process.env, ...env },
      node: tokens.filter((t) => t.startsWith('node:')).map((t) => t.slice(5)),
      flags: tokens.filter((t) => !t.startsWith('node:') && !t.startsWith('env:')),
    };
  });
}

/** `n` POSTs of `body` (JSON text) to `url`, `concurrency` at a time on keep-alive connections; resolves to the number not answered 200. */
export async function postMany(url, n, body, concurrency = 8) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failed = 0;
  const one = () => new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      if (res.statusCode !== 200) failed++;
      res.resume();
      res.once('end', resolve);
    });
    req.once('error', () => (failed++, resolve()));
    req.end(body);
  });
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < n) await one();
  }));
  agent.destroy();
  return failed;
}

