// AI gateway benchmark: the same load against the mock LLM directly and through aigw's ai-proxy,
// in one run. Plain chat (OpenAI client → openai provider → mock), Anthropic-format client →
// OpenAI upstream, and streams (added time to first token, per-chunk overhead).
//   npm run build && node bench/ai/run.mjs [--duration 5000] [--connections 50] [--rounds 2]
import { child as spawnChild, firstLine, runLoad } from '../harness.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = import.meta.dirname;
const dist = process.env.AIGW_DIST ?? join(here, '..', '..', 'dist');
const arg = (name, d) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Math.min(Number(process.argv[i + 1]), name === 'duration' ? 30_000 : 256) : d;
};
const duration = arg('duration', 5000);
const connections = arg('connections', 50);

const { loadStateFromText } = await import(pathToFileURL(join(dist, 'src/config/index.js')).href);
const { startGateway } = await import(pathToFileURL(join(dist, 'src/gateway/server.js')).href);
const { silentLogger } = await import(pathToFileURL(join(dist, 'src/gateway/log.js')).href);

const env = { ...process.env, AIGW_DIST: dist };
const child = (script, args = []) => spawnChild(here, script, args, env);
const load = (cfg) => runLoad(child('loadgen.mjs', [JSON.stringify(cfg)]));

const mockProc = child('mock.mjs');
const mockUrl = `http://127.0.0.1:${Number(await firstLine(mockProc))}`;
const state = await loadStateFromText(`
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/ai/chat]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer bench-key" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 512, upstream_url: "${mockUrl}/v1/chat/completions" } }
  - name: governed
    paths: [/ai/governed]
    plugins:
    - name: ai-prompt-guard
      config: { deny_patterns: ["(?i)ignore (all )?previous instructions", "(?i)system prompt"] }
    - name: ai-prompt-decorator
      config: { prompts: { prepend: [{ role: system, content: "You are a concise assistant." }] } }
    - name: ai-rate-limiting-advanced
      config: { identifier: ip, llm_providers: [{ name: openai, limit: [1000000000], window_size: [60] }] }
    - name: ai-semantic-cache
      config:
        embeddings: { auth: { header_name: Authorization, header_value: "Bearer bench-key" }, model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mockUrl}/v1/embeddings" } } }
        vectordb: { strategy: memory, dimensions: 16, distance_metric: cosine, threshold: 0.01 }
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer bench-key" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 512, upstream_url: "${mockUrl}/v1/chat/completions" } }
  - name: governed-no-cache
    paths: [/ai/governed-no-cache]
    plugins:
    - name: ai-prompt-guard
      config: { deny_patterns: ["(?i)ignore (all )?previous instructions", "(?i)system prompt"] }
    - name: ai-prompt-decorator
      config: { prompts: { prepend: [{ role: system, content: "You are a concise assistant." }] } }
    - name: ai-rate-limiting-advanced
      config: { identifier: ip, llm_providers: [{ name: openai, limit: [1000000000], window_size: [60] }] }
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer bench-key" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 512, upstream_url: "${mockUrl}/v1/chat/completions" } }
  - name: anthropic
    paths: [/anthropic]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        llm_format: anthropic
        auth: { header_name: Authorization, header_value: "Bearer bench-key" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${mockUrl}/v1/chat/completions" } }
`);
const gw = await startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger: silentLogger, accessLog: 'off' });

const messages = [{ role: 'user', content: 'Please describe the benchmark of this gateway in a few short words' }];
const direct = { url: `${mockUrl}/v1/chat/completions`, headers: { authorization: 'Bearer bench-key' }, body: { model: 'gpt-4o', max_tokens: 512, messages } };
const via = { url: `${gw.proxyUrl}/ai/chat`, headers: {}, body: { messages } };
// unique prompts, so every request is a semantic-cache miss (embeddings call, search, store)
const governed = { url: `${gw.proxyUrl}/ai/governed`, headers: {}, body: { messages: [{ role: 'user', content: 'Please describe request {n} of this benchmark in a few short words' }] }, vary: true };
const governedNoCache = { ...governed, url: `${gw.proxyUrl}/ai/governed-no-cache` };
const anthropic = { url: `${gw.proxyUrl}/anthropic/v1/messages`, headers: { 'x-api-key': 'client', 'anthropic-version': '2023-06-01' }, body: { model: 'claude-x', max_tokens: 512, messages } };
const stream = (c) => ({ ...c, body: { ...c.body, stream: true } });
const run = (c, conns, ms = duration) => load({ ...c, connections: conns, durationMs: ms });

for (const c of [direct, via, governed, anthropic, stream(direct), stream(via)]) await run(c, connections, 1000);
// Interleaved rounds, best of each: the machine is shared, so a single run is at the mercy of noise.
const ROUNDS = arg('rounds', 2);
const scenarios = {
  direct: [direct, connections], via: [via, connections], governed: [governed, connections], governedNoCache: [governedNoCache, connections], anthropic: [anthropic, connections],
  directStream: [stream(direct), connections], viaStream: [stream(via), connections], anthropicStream: [stream(anthropic), connections],
  direct1: [stream(direct), 1], via1: [stream(via), 1],
};
const r = {};
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, [cfg, conns]] of Object.entries(scenarios)) {
    const x = await run(cfg, conns);
    const prev = r[name];
    if (!prev) r[name] = x;
    else r[name] = conns === 1 ? (x.ttft50 < prev.ttft50 ? x : prev) : (x.rps > prev.rps ? x : prev);
  }
}

const f = (n) => n.toFixed(2);
const row = (name, x) => `${name.padEnd(34)} ${String(Math.round(x.rps)).padStart(6)} req/s  p50 ${f(x.p50).padStart(6)} ms  p99 ${f(x.p99).padStart(6)} ms  errors ${x.errors + x.statusErrors}`;
console.log(`duration ${duration} ms per run, best of ${ROUNDS} interleaved rounds, c=${connections} unless noted, node ${process.version}`);
console.log(row('direct to mock (plain)', r.direct));
console.log(row('ai-proxy openai → mock (plain)', r.via));
console.log(row('governance chain, cache miss (plain)', r.governed));
console.log(row('guard + decorator + budget, no cache', r.governedNoCache));
console.log(row('anthropic client → openai (plain)', r.anthropic));
console.log(row('direct to mock (stream)', r.directStream));
console.log(row('ai-proxy openai → mock (stream)', r.viaStream));
console.log(row('anthropic client → openai (stream)', r.anthropicStream));
const pct = (a, b) => (100 * a.rps / b.rps).toFixed(1);
console.log(`ai-proxy plain: ${pct(r.via, r.direct)}% of direct req/s (target >= 20%); anthropic-format: ${pct(r.anthropic, r.direct)}%`);
console.log(`governance chain (guard + decorator + token budget + semantic-cache miss): ${pct(r.governed, r.via)}% of plain ai-proxy req/s, ${(100 - 100 * r.governed.rps / r.via.rps).toFixed(1)}% fewer (target < 20% fewer); without the cache: ${(100 - 100 * r.governedNoCache.rps / r.via.rps).toFixed(1)}% fewer`);
console.log(`ai-proxy stream: ${pct(r.viaStream, r.directStream)}% of direct req/s; anthropic-format stream: ${pct(r.anthropicStream, r.directStream)}%`);
const addedTtft = r.via1.ttft50 - r.direct1.ttft50;
const perChunk = (r.via1.span50 - r.direct1.span50) / Math.max(1, r.via1.events);
console.log(`c=1 stream: time to first token direct ${f(r.direct1.ttft50)} ms, via ${f(r.via1.ttft50)} ms → added ${f(addedTtft)} ms (target < 1 ms)`);
console.log(`c=1 stream: ${r.via1.events.toFixed(1)} events per reply; first byte → end direct ${f(r.direct1.span50)} ms, via ${f(r.via1.span50)} ms → ${(1000 * perChunk).toFixed(1)} µs added per chunk`);

await gw.close(1000);
mockProc.kill('SIGTERM');
