// Where the closed-loop p99 of a cold start goes: `aigw serve` (access log on) started fresh, wrk at
// 50 connections from `proxy listening` for 2 s, then per round: wrk's p99 and max (`-t1 -c50`, as
// bench/issue10 measures it) against the gateway's own latency (`latency_ms` of the access log: from
// its request handler to the end of the answer), and when the first access line came. A second
// pass with one wrk thread per connection (wrk/probe.lua, WRK_CLOSED=1) gives every request's own latency: the
// first wave's, and when the slowest 1 % were sent. bench/README.md, "The bare proxy's own first 2 s".
//   npm run build && node bench/profile/first-wave.mjs [--rounds 2]
import { CLI, KEY, configFile, mock as startMock } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, percentile, start, stopAll } from '../harness.mjs';
import { load, probe } from '../wrk.mjs';
import { chatBody, oneRoute } from '../ai/config.mjs';

const rounds = arg('rounds', 2);
const ms = (us) => (us / 1000).toFixed(1);

const mock = await startMock({ cpu: LOAD_CPU });
try {
  await load({ url: `${mock.url}/v1/chat/completions`, body: { ...chatBody, model: 'gpt-4o', max_tokens: 512 }, headers: { authorization: `Bearer ${KEY}` }, connections: 50, seconds: 3 });
  const file = configFile('first-wave.yaml', oneRoute(mock.url));
  const gateway = async () => {
    const p = start('aigw', process.execPath, [CLI, 'serve', file, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--log-format', 'json', '--no-watch'], { cpu: SERVER_CPU });
    const ready = await p.waitFor(/proxy listening on/);
    return { p, url: `${/(http:\/\/[0-9.:]+)/.exec(ready.line)[1]}/ai/chat`, t0: ready.at };
  };
  const accessOf = (p) => p.lines.filter((l) => l.line.includes('"type":"access"')).map((l) => ({ ...JSON.parse(l.line.slice(l.line.indexOf('{'))), at: l.at }));
  for (let round = 1; round <= rounds; round++) {
    {
      const { p, url, t0 } = await gateway();
      const r = await load({ url, body: chatBody, connections: 50, seconds: 2 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const acc = accessOf(p);
      const lat = acc.map((a) => a.latency_ms * 1000);
      console.log(`round ${round}, wrk -t1 -c50: p99 ${ms(r.p99)} ms, max ${ms(r.max)} ms over ${r.requests} requests; the gateway's own latency: p99 ${ms(percentile(lat, 99))} ms, max ${ms(Math.max(...lat))} ms; first access line ${ms(acc[0].at - t0)} ms after listening`);
      p.proc.kill('SIGTERM');
      await p.exit;
    }
    {
      const { p, url, t0 } = await gateway();
      const r = await probe({ url, body: chatBody, connections: 50, seconds: 2, closed: true });
      const s = r.samples.filter((x) => x.status !== 0).sort((a, b) => a.at - b.at); // answered requests only
      const wave = s.slice(0, 50).map((x) => x.lat).sort((a, b) => a - b);
      const top = [...s].sort((a, b) => b.lat - a.lat).slice(0, Math.ceil(s.length / 100));
      console.log(`round ${round}, wrk -t50 -c50 (wrk/probe.lua, WRK_CLOSED=1): first wave (50) latency p50 ${ms(wave[24])} / max ${ms(wave[49])} ms; the slowest 1 % sent ${ms(Math.min(...top.map((x) => x.at)) - t0)}–${ms(Math.max(...top.map((x) => x.at)) - t0)} ms after listening`);
      p.proc.kill('SIGTERM');
      await p.exit;
    }
  }
} finally {
  await stopAll();
}
