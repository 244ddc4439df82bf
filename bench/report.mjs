// Results of a run: one JSON file with everything measured and one markdown file with the tables,
// both in bench/results/<bench>-<date>.{json,md} (not committed: the README quotes the tables).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pinning } from './harness.mjs';

const here = import.meta.dirname;

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    return `${err.stdout ?? ''}${err.stderr ?? ''}`.trim().split('\n')[0] || null; // wrk -v exits 1
  }
}

/** What the run ran on: versions, CPUs, pinning, the commit, load average. */
export function environment() {
  return {
    node: process.version,
    wrk: tryRun('wrk', ['-v'])?.split('\n')[0] ?? null,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    pinning: pinning(),
    commit: tryRun('git', ['-C', here, 'rev-parse', '--short', 'HEAD']),
    loadavgStart: loadavg().map((x) => Math.round(x * 100) / 100),
    startedAt: new Date().toISOString(),
  };
}

/** Write <bench>-<stamp>.json and .md; prints the markdown and the paths. */
export function writeResults(bench, env, data, markdown) {
  const out = join(here, 'results');
  mkdirSync(out, { recursive: true });
  const stamp = env.startedAt.replace(/[:]/g, '').replace(/\..*$/, '');
  const base = join(out, `${bench}-${stamp}`);
  const full = { bench, env: { ...env, loadavgEnd: loadavg().map((x) => Math.round(x * 100) / 100), endedAt: new Date().toISOString() }, ...data };
  writeFileSync(`${base}.json`, JSON.stringify(full, null, 2) + '\n');
  const head = `# ${bench} — ${full.env.startedAt}\n\nnode ${env.node}, ${env.wrk}, ${env.cpus} × ${env.cpu}, ${env.pinning}, commit ${env.commit}, load average ${env.loadavgStart.join(' ')} → ${full.env.loadavgEnd.join(' ')}\n\n`;
  writeFileSync(`${base}.md`, head + markdown + '\n');
  process.stdout.write(`\n${head}${markdown}\n\nwritten: ${base}.json, ${base}.md\n`);
  return base;
}

// number formatting for the tables
export const us = (x) => (Number.isFinite(x) ? (x >= 10_000 ? `${(x / 1000).toFixed(1)} ms` : x >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${Math.round(x)} µs`) : '–');
export const n0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
export const x2 = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
export const mib = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} MiB` : '–');
export const ok = (pass) => (pass ? '✔' : '✘');
