// bench/lifecycle/first-seconds.mjs — the first seconds of traffic after `proxy listening` at a
// FIXED open-loop rate (bench/issue10 uses half the capacity it measures, which moves with the
// machine): the probe (wrk/probe.lua, each request counted from its scheduled time) starts at
// listening; per 100 ms window of the first 3 s, p50/p99 of the requests due and the CPU ms of
// the gateway's main thread and of its other threads (V8's compiler and GC helpers, from /proc);
// then p99 of the first 2 s and of each later 2 s. Fresh process per round, variants interleaved.
//   npm run build && node bench/lifecycle/first-seconds.mjs [--rate 1800] [--rounds 3] [--seconds 10] [--windows]
//     [--variants "default=;keep=env:AIGW_HELPER_THREADS=keep"]   (bench/aigw.mjs parseVariants)
import { KEY, configFile, mock as startMock, parseVariants, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, nowUs, sleep, stopAll, threadsOf } from '../harness.mjs';
import { load, probe, window } from '../wrk.mjs';
import { chatBody, oneRoute } from '../ai/config.mjs';

const rate = arg('rate', 1800);
const rounds = arg('rounds', 3);
const seconds = Math.max(4, arg('seconds', 10));
const perWindow = process.argv.includes('--windows');
const variants = parseVariants(arg('variants', 'default='));
const ms = (us) => (us / 1000).toFixed(1);

const mock = await startMock({ cpu: LOAD_CPU });
try {
  // the mock warm first: what is measured is the gateway's start
  await load({ url: `${mock.url}/v1/chat/completions`, body: { ...chatBody, model: 'gpt-4o', max_tokens: 512 }, headers: { authorization: `Bearer ${KEY}` }, connections: 50, seconds: 3 });
  const file = configFile('first-seconds.yaml', oneRoute(mock.url));
  const results = new Map(variants.map((v) => [v.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const v of variants) {
      const gw = await serve(file, { cpu: SERVER_CPU, cli: v.cli, env: v.env, node: v.node, extra: v.flags });
      const t0 = nowUs();
      const probing = probe({ url: `${gw.url}/ai/chat`, body: chatBody, connections: 32, intervalUs: Math.round((32 * 1e6) / rate), seconds });
      const cpu = [];
      let prev = threadsOf(gw.pid);
      for (let i = 1; i <= 30; i++) {
        await sleep((t0 + i * 1e5 - nowUs()) / 1000);
        const now = threadsOf(gw.pid);
        let main = 0;
        let other = 0;
        for (const [tid, x] of now) {
          const d = x.ms - (prev.get(tid)?.ms ?? 0);
          if (tid === gw.pid) main += d;
          else other += d;
        }
        cpu.push({ main, other });
        prev = now;
      }
      const r = await probing;
      await gw.stop();
      const first = window(r.samples, t0, t0 + 2e6).p99;
      const later = [];
      for (let k = 2; k + 2 <= seconds; k += 2) later.push(window(r.samples, t0 + k * 1e6, t0 + (k + 2) * 1e6).p99);
      const busy = cpu.slice(0, 20);
      results.get(v.name).push({ first, later, main: busy.reduce((a, x) => a + x.main, 0), other: busy.reduce((a, x) => a + x.other, 0) });
      console.log(`${v.name} round ${round + 1}: first 2 s p99 ${ms(first)} ms; later 2-s windows ${later.map(ms).join(' / ')} ms; CPU in the first 2 s: main ${busy.reduce((a, x) => a + x.main, 0)} ms, other threads ${busy.reduce((a, x) => a + x.other, 0)} ms`);
      if (perWindow) {
        for (let i = 0; i < 30; i++) {
          const w = window(r.samples, t0 + i * 1e5, t0 + (i + 1) * 1e5);
          console.log(`  ${(i / 10).toFixed(1)} s: n ${w.count}, p50 ${ms(w.p50)} ms, p99 ${ms(w.p99)} ms, CPU main ${cpu[i].main} / other ${cpu[i].other} ms`);
        }
      }
    }
  }
  console.log(`\n| variant (${rate} req/s, ${rounds} starts) | p99 first 2 s: median (min – max) | p99 of the last 2 s | CPU first 2 s: main / other threads |`);
  console.log('|---|---|---|---|');
  for (const [name, xs] of results) {
    const f = xs.map((x) => x.first);
    console.log(`| ${name} | ${ms(median(f))} ms (${ms(Math.min(...f))} – ${ms(Math.max(...f))}) | ${ms(median(xs.map((x) => x.later.at(-1))))} ms | ${median(xs.map((x) => x.main))} / ${median(xs.map((x) => x.other))} ms |`);
  }
} finally {
  await stopAll();
}
