/**
 * Warm the proxy's hot path before the listener takes traffic: a freshly started node runs its
 * first requests 3-6× slower than warm (V8 interprets them, then compiles the hot functions after
 * a few thousand calls), so the first seconds after `proxy listening` had many times the warm p99
 * (bench/lifecycle). This drives requests through the gateway's own request handler and pipeline
 * — a plain proxied route, and an ai-proxy route (OpenAI chat, JSON and SSE) when the served
 * configuration uses ai-proxy — against a stub upstream, all in-process on 127.0.0.1 ports of its
 * own, with its own runtime, stores, metrics, connection pools and LLM caller: nothing of the
 * user's configuration is called, counted, logged or cached, and the served configuration's
 * plugins are the only ones loaded. Code V8 compiled for these requests is the code the real
 * ones run (closures of one function literal share their feedback and optimized code).
 * It is bounded by the process's CPU time (not wall time: on a busy machine a wall-clock budget ran a
 * handful of requests) and ends with a full GC, so its garbage is not left in RSS.
 * It costs RSS (the compiled code, and undici's HTTP parser compiled by TurboFan: what a gateway
 * otherwise pays after its first requests) and start time: `aigw serve --warm-up`, off by default
 * (bench/README.md, "Start-up latency (branch start)", "Warm start (branch warmstart)").
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Registry } from 'prom-client';
import { Pool } from './llm/call/undici-core.js';
import { loadStateFromText } from '../config/index.js';
import { createLlmCaller } from './llm/call/caller.js';
import type { Logger } from './log.js';
import type { PipelineEnv } from './pipeline.js';
import { buildRuntime, type Runtime } from './runtime.js';
import { PluginStores } from './stores.js';
import { createAgents, destroyAgents } from './upstream.js';

export interface WarmUp {
  requests: number;
  /** Requests answered 200 (all of them unless something is broken). */
  ok: number;
  ms: number;
  /** CPU time of the process (user + system, all threads) from the first request to the last. */
  cpuMs: number;
}

export interface WarmUpOptions {
  /** Warm the ai-proxy path too (the served configuration uses ai-proxy; otherwise it is not loaded). */
  ai: boolean;
  /** At most this many requests… */
  requests?: number;
  /** …or this much CPU time of the process (user + system, set-up not counted): the same amount of
   * compilation on a quiet or a busy machine (3 s of wall time ran 203–970 requests on a loaded one)… */
  cpuBudgetMs?: number;
  /** …or, a ceiling for a machine that gives the process little CPU, this long (set-up not counted). */
  budgetMs?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** The gateway's own request handler around the pipeline (server.ts); the same code is what gets warm. */
  serverFor: (runtime: Runtime, env: PipelineEnv) => http.Server;
  /** The gateway's per-request callback shape (access log) with a sink that drops the lines; null when off. */
  onDone?: PipelineEnv['onDone'];
}

/** Defaults measured with bench/lifecycle/first-requests.mjs (bench/README.md, "Start-up latency"). */
export const WARM_UP_REQUESTS = 2000;
export const WARM_UP_CPU_MS = 1500;
export const WARM_UP_BUDGET_MS = 10_000;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * A full GC once the warm-up is over: its runtime, servers, pools, buffers and the requests' objects
 * are garbage, and without it they stay on the heap (and in RSS) until allocation triggers a GC.
 * node has no API for it: `--expose-gc` set at run time installs `gc` in contexts created after it.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const ANSWER = JSON.stringify({
  id: 'chatcmpl-warm-up', object: 'chat.completion', created: 0, model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
});
const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-warm-up', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const STREAM = `${chunk({ role: 'assistant', content: 'o' }, null)}${chunk({ content: 'k' }, null)}${chunk({}, 'stop')}data: [DONE]\n\n`;
const BODY = JSON.stringify({ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say ok.' }] });
const STREAM_BODY = JSON.stringify({ messages: [{ role: 'user', content: 'Say ok.' }], stream: true });

const config = (upstream: string, ai: boolean): string => `_format_version: "3.0"
services:
- name: warm-up
  url: ${upstream}/plain
  routes:
  - name: warm-up-plain
    paths: [/plain]
${ai ? `  - name: warm-up-chat
    paths: [/chat]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer warm-up" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 16, upstream_url: "${upstream}/v1/chat/completions" } }
` : ''}`;

const listen = (s: http.Server): Promise<string> => new Promise((resolve, reject) => {
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`));
});
const closed = (s: http.Server): Promise<void> => new Promise((resolve) => {
  s.closeAllConnections();
  s.close(() => resolve());
});

/** The stub upstream: the chat answer (JSON, or SSE when asked to stream) for every request. */
function stub(): http.Server {
  return http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const stream = Buffer.concat(parts).includes('"stream":true');
      if (stream) res.writeHead(200, { 'content-type': 'text/event-stream' }).end(STREAM);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER);
    });
  });
}

/** Which request the i-th is: 3 of 4 chat (every 8th of those streamed) when `ai`, else plain. */
function pick(i: number, ai: boolean): { path: string; body: string } {
  if (!ai || i % 4 === 3) return { path: '/plain', body: BODY };
  return { path: '/chat', body: i % 8 === 1 ? STREAM_BODY : BODY };
}

export async function warmUp(logger: Logger, opts: WarmUpOptions): Promise<WarmUp> {
  const w = await run(logger, opts);
  // the closed sockets let go of their server when their 'close' events have run
  await new Promise((resolve) => setImmediate(resolve));
  // in a frame of its own: run()'s suspended frame may still hold its runtime and servers
  collectGarbage();
  return w;
}

async function run(logger: Logger, opts: WarmUpOptions): Promise<WarmUp> {
  const { ai, requests = WARM_UP_REQUESTS, cpuBudgetMs = WARM_UP_CPU_MS, budgetMs = WARM_UP_BUDGET_MS, concurrency = 8 } = opts;
  const t0 = performance.now();
  const silent: Logger = { ...logger, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const upstream = stub();
  const llm = createLlmCaller({ env: {} });
  const stores = new PluginStores();
  const agents = createAgents();
  let proxy: http.Server | null = null;
  let client: Pool | null = null;
  let done = 0;
  let ok = 0;
  let t1 = t0;
  let c1 = cpuMs();
  let c2 = c1;
  try {
    const up = await listen(upstream);
    const runtime = buildRuntime(await loadStateFromText(config(up, ai)), { logger: silent, stores, metrics: new Registry(), env: {}, llm });
    const env: PipelineEnv = { agents, listenPort: 0, logger: silent, onDone: opts.onDone ?? null, requestId: () => 'warm-up' };
    proxy = opts.serverFor(runtime, env);
    const base = await listen(proxy);
    env.listenPort = (proxy.address() as AddressInfo).port;
    const pool = (client = new Pool(base, { connections: concurrency }));
    t1 = performance.now();
    c1 = cpuMs();
    const one = async (i: number): Promise<void> => {
      const { path, body } = pick(i, ai);
      const r = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await r.body.text();
      if (r.statusCode === 200) ok++;
    };
    const worker = async (): Promise<void> => {
      while (done < requests && cpuMs() - c1 < cpuBudgetMs && performance.now() - t1 < budgetMs) await one(done++);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } catch (err) {
    logger.debug('warm-up stopped early', { error: String(err) });
  } finally {
    await client?.close().catch(() => undefined);
    if (proxy) await closed(proxy);
    await closed(upstream);
    destroyAgents(agents);
    await stores.disposeAll();
    await llm.close();
    c2 = cpuMs();
  }
  return { requests: done, ok, ms: performance.now() - t0, cpuMs: c2 - c1 };
}
