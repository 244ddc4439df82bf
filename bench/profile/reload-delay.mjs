// The longest event-loop stall of `aigw serve` while it reloads a generated configuration of N
// entities (default 5,000), by replacing the file (watch) and by POST /config (YAML and JSON).
// aigw runs with bench/profile/loop-delay.cjs preloaded (perf_hooks.monitorEventLoopDelay); no load.
// Per kind of reload: the median reload time and longest stall, and per round the longest stall, the
// stalls > 2 ms by length (ms buckets, summed over the rounds) and the longest GC pauses.
// LOOP_DELAY_TASKS=1 adds the longest event-loop callbacks with their type (see loop-delay.cjs).
//   npm run build && node bench/profile/reload-delay.mjs [--entities 5000] [--rounds 3] [--cli other/dist/bin/aigw.js] [--only file,postYaml,postJson,idle] [--node '--max-semi-space-size=2']
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CLI, configFile, mock as startMock, serve } from '../aigw.mjs';
import { SERVER_CPU, LOAD_CPU, arg, median, nowUs, sleep, stopAll } from '../harness.mjs';
import { generateState } from '../validate/generate.mjs';
import { oneRoute } from '../ai/config.mjs';

const entities = arg('entities', 5000);
const rounds = arg('rounds', 3);
const cli = arg('cli', CLI);
const only = String(arg('only', 'file,postYaml,postJson')).split(',');
const nodeFlags = String(arg('node', '')).split(' ').filter((f) => f !== '');

/** Measure the loop delay of `gw` around `trigger` (which resolves when the reload is done). */
export async function stallDuring(gw, trigger) {
  gw.proc.kill('SIGUSR2');
  await gw.waitFor(/LOOP_DELAY/, 5000, nowUs() - 1);
  await sleep(300);
  const at = nowUs();
  gw.proc.kill('SIGUSR2');
  await gw.waitFor(/LOOP_DELAY/, 5000, at);
  const t0 = nowUs();
  const extra = await trigger();
  const ms = (nowUs() - t0) / 1000;
  await sleep(200);
  const at2 = nowUs();
  gw.proc.kill('SIGUSR2');
  const line = await gw.waitFor(/LOOP_DELAY/, 5000, at2);
  return { ms, ...extra, delay: JSON.parse(line.line.slice(line.line.indexOf('{'))) };
}

/** A generated state plus one ai route; `tag` makes versions differ. */
export function bigState(mockUrl, tag, n = entities) {
  const s = generateState(n);
  s.services[0].tags = ['bench', tag];
  s.services.unshift(...parse(oneRoute(mockUrl)).services);
  return s;
}

export async function reloadStalls(mockUrl, { n = entities, rounds: r = rounds, cpu = SERVER_CPU } = {}) {
  const states = [bigState(mockUrl, 'a', n), bigState(mockUrl, 'b', n)];
  const yaml = states.map((s) => stringify(s, { lineWidth: 0 }));
  const json = states.map((s) => JSON.stringify({ config: s }));
  const file = configFile(`big-${n}.yaml`, yaml[0]);
  const gw = await serve(file, { cpu, cli, admin: true, watch: true, node: [...nodeFlags, '--require', join(import.meta.dirname, 'loop-delay.cjs')] });
  let k = 1;
  const out = { file: [], postYaml: [], postJson: [], idle: [] };
  const post = async (body, type) => {
    const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': type }, body });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`POST /config: ${res.status}`);
    return {};
  };
  try {
    for (let i = 0; i < r; i++) {
      if (only.includes('file')) out.file.push(await stallDuring(gw, async () => {
        const at = nowUs();
        writeFileSync(`${file}.tmp`, yaml[k++ % 2]);
        renameSync(`${file}.tmp`, file);
        const done = await gw.waitFor(/configuration reloaded|rejected/, 60_000, at);
        if (/rejected/.test(done.line)) throw new Error(done.line);
        return {};
      }));
      if (only.includes('postYaml')) out.postYaml.push(await stallDuring(gw, () => post(yaml[k++ % 2], 'text/yaml')));
      if (only.includes('postJson')) out.postJson.push(await stallDuring(gw, () => post(json[k++ % 2], 'application/json')));
      // no reload: 2 s of an idle gateway, ~0.5 s after the reloads above (bench/lifecycle's `none` window follows a POST so)
      if (only.includes('idle')) out.idle.push(await stallDuring(gw, () => sleep(2000).then(() => ({}))));
    }
  } finally {
    await gw.stop();
  }
  const stalls = (rows) => {
    const out = {};
    for (const r of rows) for (const [b, c] of Object.entries(r.delay.stalls ?? {})) out[b] = (out[b] ?? 0) + c;
    return out;
  };
  const sum = (rows) => rows.length === 0 ? null : ({
    reloadMs: median(rows.map((x) => x.ms)),
    maxLoopDelayMs: median(rows.map((x) => x.delay.max)),
    rounds: rows.map((x) => x.delay.max),
    stallsOver2ms: stalls(rows),
    top: rows.map((x) => x.delay.top),
    gcMaxMs: rows.map((x) => x.delay.gcMax),
    gc: rows.map((x) => x.delay.gc),
    slices: rows.map((x) => x.delay.slices),
    ...(rows[0].delay.tasks ? { tasks: rows.map((x) => x.delay.tasks) } : {}),
  });
  return { entities: n, file: sum(out.file), postYaml: sum(out.postYaml), postJson: sum(out.postJson), idle: sum(out.idle) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mock = await startMock({ cpu: LOAD_CPU });
  try {
    console.log(JSON.stringify(await reloadStalls(mock.url), null, 1));
  } finally {
    await stopAll();
  }
}
