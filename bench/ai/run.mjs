// bench/ai — throughput and latency of `aigw serve` ai-proxy against two baselines measured in
// the same run: the mock LLM directly, and a bare node:http proxy that parses and re-serialises
// the JSON body and forwards it through an undici Pool (bench/bare-proxy.mjs). Load from wrk.
//   npm run build && node bench/ai/run.mjs [--duration 5] [--rounds 3] [--warmup 3] [--connections 50]
import { KEY, bareProxy, configFile, mock as startMock, serve } from '../aigw.mjs';
import { LOAD_CPU, SERVER_CPU, arg, median, repin, sleep, start, stopAll, summary } from '../harness.mjs';
import { environment, n0, ok, us, writeResults, x2 } from '../report.mjs';
import { load } from '../wrk.mjs';
import { aiRoutes, chatBody, directBody, directResponsesBody, messages, responsesBody } from './config.mjs';
import { readFileSync } from 'node:fs';

const seconds = arg('duration', 5);
const rounds = arg('rounds', 3);
const warmup = arg('warmup', 3);
const C = arg('connections', 50);
const env = environment();

async function main() {
  const mock = await startMock({ cpu: LOAD_CPU });
  const gw = await serve(configFile('ai.yaml', aiRoutes(mock.url)), { cpu: SERVER_CPU });
  const bare = await bareProxy(`${mock.url}/v1/chat/completions`, { cpu: SERVER_CPU, json: { model: 'gpt-4o', maxTokens: 512, authorization: `Bearer ${KEY}` } });
  const governedBody = { messages: [{ role: 'user', content: 'Please describe request {n} of this benchmark in a few short words' }] };
  const t = {
    direct: { url: `${mock.url}/v1/chat/completions`, headers: { authorization: `Bearer ${KEY}` }, body: directBody, server: mock, mockCpu: SERVER_CPU },
    directShared: { url: `${mock.url}/v1/chat/completions`, headers: { authorization: `Bearer ${KEY}` }, body: directBody, server: mock },
    bare: { url: `${bare.url}/`, body: chatBody, server: bare },
    aigw: { url: `${gw.url}/ai/chat`, body: chatBody, server: gw },
    anthropic: { url: `${gw.url}/anthropic/v1/messages`, headers: { 'x-api-key': 'client', 'anthropic-version': '2023-06-01' }, body: { model: 'claude-x', max_tokens: 512, messages }, server: gw },
    governed: { url: `${gw.url}/ai/governed`, body: governedBody, vary: true, server: gw },
    governedNoCache: { url: `${gw.url}/ai/governed-no-cache`, body: governedBody, vary: true, server: gw },
    directResponses: { url: `${mock.url}/v1/responses`, headers: { authorization: `Bearer ${KEY}` }, body: directResponsesBody, server: mock, mockCpu: SERVER_CPU },
    responses: { url: `${gw.url}/ai/responses`, body: responsesBody, server: gw },
    responsesAnthropic: { url: `${gw.url}/ai/responses-anthropic`, body: responsesBody, server: gw },
  };
  const stream = (x) => ({ ...x, body: { ...x.body, stream: true } });
  // name → [target, connections, what the row says]
  const scenarios = {
    direct: [t.direct, C, 'direct to the mock (mock alone on the server CPU)'],
    directShared: [t.directShared, C, 'direct to the mock, mock on the load CPU with wrk (load-side capacity)'],
    bare: [t.bare, C, 'bare node:http + undici proxy → mock'],
    aigw: [t.aigw, C, 'aigw ai-proxy, openai → mock'],
    anthropic: [t.anthropic, C, 'aigw ai-proxy, anthropic client → openai'],
    governed: [t.governed, C, 'aigw governance chain, semantic-cache miss'],
    governedNoCache: [t.governedNoCache, C, 'aigw guard + decorator + budget, no cache'],
    directStream: [stream(t.direct), C, 'direct to the mock, stream (mock on the server CPU)'],
    bareStream: [stream(t.bare), C, 'bare proxy, stream'],
    aigwStream: [stream(t.aigw), C, 'aigw ai-proxy, stream'],
    directResponses: [t.directResponses, C, 'direct to the mock, Responses API (mock on the server CPU)'],
    responses: [t.responses, C, 'aigw Responses route, openai → mock (passed through)'],
    responsesAnthropic: [t.responsesAnthropic, C, 'aigw Responses route, translated → anthropic, stored'],
    responsesStream: [stream(t.responses), C, 'aigw Responses route, openai, stream'],
    responsesAnthropicStream: [stream(t.responsesAnthropic), C, 'aigw Responses route → anthropic, stream'],
    direct1: [t.direct, 1, 'direct to the mock, 1 connection'],
    bare1: [t.bare, 1, 'bare proxy, 1 connection'],
    aigw1: [t.aigw, 1, 'aigw ai-proxy, 1 connection'],
  };
  const run = async ([target, connections], secs) => {
    repin(mock, target.mockCpu ?? LOAD_CPU);
    const watch = target.server === mock ? [mock] : [target.server, mock];
    const r = await load({ ...target, connections, seconds: secs, watch });
    await sleep(300);
    return r;
  };

  process.stderr.write(`warm-up: ${warmup} s per target at ${C} connections, 1 s at 1 connection\n`);
  for (const name of ['direct', 'bare', 'aigw', 'anthropic', 'governed', 'governedNoCache', 'aigwStream', 'bareStream', 'responses', 'responsesAnthropic']) await run(scenarios[name], warmup);
  for (const name of ['direct1', 'bare1', 'aigw1']) await run(scenarios[name], 1);

  const names = Object.keys(scenarios);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    // rotate the order every round, so no scenario always runs first or last
    const order = names.map((_, k) => names[(k + i * 3) % names.length]);
    for (const name of order) {
      runs[name].push(await run(scenarios[name], seconds));
      const r = runs[name].at(-1);
      process.stderr.write(`round ${i + 1}/${rounds} ${name.padEnd(16)} ${n0(r.rps).padStart(7)} req/s p50 ${us(r.p50)} p99 ${us(r.p99)} cpu ${JSON.stringify(r.cpu.procs)} others ${JSON.stringify(r.cpu.others)}\n`);
    }
  }
  const ttft = await timeToFirstToken(t, mock);
  return { scenarios, runs, ttft };
}

/** Time to first byte of a stream at 1 connection (wrk cannot see it): bench/ai/loadgen.mjs. */
async function timeToFirstToken(t, mock) {
  const out = { direct: [], aigw: [], directResponses: [], responses: [], responsesAnthropic: [] };
  for (let i = 0; i < 2; i++) {
    for (const name of Object.keys(out)) {
      const x = t[name];
      repin(mock, x.mockCpu ?? LOAD_CPU);
      const cfg = { url: x.url, headers: x.headers ?? {}, body: { ...x.body, stream: true }, connections: 1, durationMs: 3000 };
      const p = start('loadgen', process.execPath, [`${import.meta.dirname}/loadgen.mjs`, JSON.stringify(cfg)], { cpu: LOAD_CPU });
      await p.exit;
      out[name].push(JSON.parse(p.lines[0].line));
    }
  }
  return out;
}

/** CPU time the process under test spent per request (µs): robust to other jobs taking CPU. */
const cpuPerRequest = (r, server) => ((r.cpu.procs[server] ?? NaN) / 100) * 1e6 / r.rps;

function report({ scenarios, runs, ttft, rounds, seconds, connections: C }) {
  const med = (name, k) => median(runs[name].map((r) => r[k]));
  const rps = (name) => summary(runs[name].map((r) => r.rps));
  const perRound = (f) => summary(runs.aigw.map((_, i) => f(i)));
  const ratio = (a, b) => perRound((i) => runs[a][i].rps / runs[b][i].rps);
  const lines = [
    `${rounds} rounds × ${seconds} s per scenario (interleaved, order rotated each round), after a warm-up; medians, with the min–max of req/s across rounds.`,
    '',
    '| scenario | conns | req/s median (min–max) | p50 | p99 | server CPU µs per request | CPU % server / wrk / mock | other jobs % CPU0 / CPU1 | errors |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, { connections: conns, label, server }] of Object.entries(scenarios)) {
    const s = rps(name);
    const cpu = (k) => median(runs[name].map((r) => r.cpu.procs[k]));
    const others = (c) => median(runs[name].map((r) => r.cpu.others[c]));
    const errs = runs[name].reduce((a, r) => a + r.errors + r.non2xx, 0);
    lines.push(`| ${label} | ${conns} | ${n0(s.median)} (${n0(s.min)}–${n0(s.max)}) | ${us(med(name, 'p50'))} | ${us(med(name, 'p99'))} | ${Math.round(median(runs[name].map((r) => cpuPerRequest(r, server))))} | ${cpu(server)} / ${cpu('wrk')} / ${server === 'mock' ? '–' : cpu('mock')} | ${others('0')} / ${others('1')} | ${errs} |`);
  }
  const vsBare = ratio('aigw', 'bare');
  const cpuVsBare = perRound((i) => cpuPerRequest(runs.bare[i], 'bare') / cpuPerRequest(runs.aigw[i], 'aigw'));
  const addedP50 = perRound((i) => runs.aigw1[i].p50 - runs.bare1[i].p50);
  const governedFewer = perRound((i) => 1 - runs.governed[i].rps / runs.aigw[i].rps);
  const spanFmt = (s, f) => `${f(s.median)} (${f(s.min)} – ${f(s.max)})`;
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  const ttft50 = (k) => median(ttft[k].map((r) => r.ttft50 * 1000));
  lines.push(
    '',
    'Ratios are computed per round (both sides measured minutes apart at most), then the median (min – max) over rounds.',
    '',
    '| measure | result | target |',
    '|---|---|---|',
    `| aigw ai-proxy req/s ÷ bare proxy, ${C} connections | ${spanFmt(vsBare, x2)} | ≥ 0.85× ${ok(vsBare.median >= 0.85)} |`,
    `| bare proxy CPU per request ÷ aigw's, ${C} connections (the same ratio, robust to CPU taken by other jobs) | ${spanFmt(cpuVsBare, x2)} | ≥ 0.85× ${ok(cpuVsBare.median >= 0.85)} |`,
    `| aigw p50 − bare proxy p50, 1 connection | ${spanFmt(addedP50, us)} | ≤ +50 µs ${ok(addedP50.median <= 50)} |`,
    `| aigw ai-proxy req/s ÷ direct, ${C} connections | ${spanFmt(ratio('aigw', 'direct'), x2)} | |`,
    `| bare proxy req/s ÷ direct, ${C} connections | ${spanFmt(ratio('bare', 'direct'), x2)} | |`,
    `| aigw stream req/s ÷ bare proxy stream | ${spanFmt(ratio('aigwStream', 'bareStream'), x2)} | |`,
    `| anthropic-format client req/s ÷ openai-format (aigw) | ${spanFmt(ratio('anthropic', 'aigw'), x2)} | |`,
    `| governance chain (cache miss): fewer req/s than plain ai-proxy | ${spanFmt(governedFewer, pct)} | < 20 % ${ok(governedFewer.median < 0.2)} |`,
    `| load side (wrk + mock on one CPU) ÷ aigw req/s | ${spanFmt(ratio('directShared', 'aigw'), x2)} | ≫ 1: the load side is not the bottleneck |`,
    `| time to first token, 1 connection, stream (p50, Node client) | direct ${us(ttft50('direct'))}, aigw ${us(ttft50('aigw'))}: +${us(ttft50('aigw') - ttft50('direct'))} | < 1 ms ${ok(ttft50('aigw') - ttft50('direct') < 1000)} |`,
  );
  if (runs.responses !== undefined) {
    const added = (k) => (ttft[k] === undefined ? NaN : ttft50(k) - ttft50('directResponses'));
    lines.push(
      `| Responses route (openai, passed through) req/s ÷ chat completions route | ${spanFmt(ratio('responses', 'aigw'), x2)} | |`,
      `| Responses route (openai) req/s ÷ the mock's Responses API direct | ${spanFmt(ratio('responses', 'directResponses'), x2)} | |`,
      `| Responses → anthropic (translated, stored) req/s ÷ Responses → openai | ${spanFmt(ratio('responsesAnthropic', 'responses'), x2)} | |`,
      `| Responses stream req/s: openai ÷ chat completions stream | ${spanFmt(ratio('responsesStream', 'aigwStream'), x2)} | |`,
      `| time to first token, Responses stream, 1 connection (p50): direct, openai, → anthropic | ${us(ttft50('directResponses'))}, +${us(added('responses'))}, +${us(added('responsesAnthropic'))} | < 1 ms |`,
    );
  }
  const targets = { aigwVsBare: vsBare, cpuVsBare, addedP50us: addedP50, governedFewer };
  return { markdown: lines.join('\n'), targets };
}

// `--report <results.json>`: print the tables of an earlier run again (e.g. after this script changed)
const again = arg('report', null);
if (again) {
  const saved = JSON.parse(readFileSync(again, 'utf8'));
  for (const [k, x] of Object.entries(saved.scenarios)) x.server ??= k.startsWith('direct') ? 'mock' : k.startsWith('bare') ? 'bare' : 'aigw';
  process.stdout.write(`${report(saved).markdown}\n`);
} else {
  try {
    const { scenarios, runs, ttft } = await main();
    const described = Object.fromEntries(Object.entries(scenarios).map(([k, [x, c, label]]) => [k, { url: x.url, connections: c, label, server: x.server.name }]));
    const data = { seconds, rounds, warmup, connections: C, scenarios: described, runs, ttft };
    const { markdown, targets } = report(data);
    writeResults('ai', env, { ...data, targets }, markdown);
  } finally {
    await stopAll();
  }
}
