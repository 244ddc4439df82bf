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
 * Its LLM calls are answered by an in-process undici dispatcher (StubLlm) and its client is node's
 * http: undici's HTTP parser (WebAssembly, compiled by TurboFan on V8's helper threads with a ~40 MiB
 * malloc peak that glibc's arenas may keep: +3-13 MiB RSS at start) is left to the first real
 * upstream answer. It is short because what V8 compiles for a long one costs RSS too (1,000-1,500
 * requests: +8 MiB). On by default in `aigw serve` (`--no-warm-up`): bench/README.md, "Warm-up by
 * default (branch warmdefault)", and before it "Start-up latency", "Warm start", "Cold start".
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Registry } from 'prom-client';
import type { Dispatcher as UndiciDispatcher } from 'undici';
import { Dispatcher } from './llm/call/undici-core.js';
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

/**
 * Defaults measured with bench/lifecycle/first-requests.mjs and bench/profile/first-instructions.mjs
 * (bench/README.md, "Warm-up by default (branch warmdefault)"): the JavaScript V8 compiles for a
 * longer warm-up costs RSS at start too (1,000–1,500 requests: 84 MiB, against 74–76 without and
 * a target of 80; 200: 77.4 MiB and +0.6 s of CPU before listening), so it is short.
 */
export const WARM_UP_REQUESTS = 100;
export const WARM_UP_CPU_MS = 500;
export const WARM_UP_BUDGET_MS = 2_000;

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
const ANSWER_BYTES = Buffer.from(ANSWER);
const STREAM_EVENTS = STREAM.split(/(?<=\n\n)/).map((e) => Buffer.from(e));
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

/**
 * The LLM caller's upstream during the warm-up: an undici dispatcher that answers every request
 * itself, through the handler callbacks undici's own Agent calls on `request()`'s handler (onConnect,
 * onHeaders with raw header buffers, onData, onComplete; UnwrapHandler leaves that handler as it is),
 * a tick later as a connection would. The ai-proxy path above it (translation, JSON, SSE, undici's
 * request handler and body stream) runs as for a real upstream; undici's HTTP parser does not: its
 * WebAssembly is loaded and compiled by TurboFan only at the first real upstream connection, as
 * without a warm-up — that compile's ~40 MiB of malloced peak, kept in RSS or not by chance, was
 * what a warm-up through a real socket cost at start (bench/README.md, "Cold start (branch coldstart)").
 */
class StubLlm extends Dispatcher {
  override dispatch(opts: UndiciDispatcher.DispatchOptions, handler: UndiciDispatcher.DispatchHandler): boolean {
    const h = handler as Required<Pick<UndiciDispatcher.DispatchHandler, 'onConnect' | 'onHeaders' | 'onData' | 'onComplete' | 'onError'>>;
    const stream = typeof opts.body === 'string' && opts.body.includes('"stream":true');
    let over = false;
    const abort = (err?: Error): void => {
      if (over) return;
      over = true;
      h.onError(err ?? new Error('aborted'));
    };
    h.onConnect(abort);
    if (over) return true;
    setImmediate(() => {
      if (over) return;
      const parts = stream ? STREAM_EVENTS : [ANSWER_BYTES];
      const type = stream ? 'text/event-stream' : 'application/json';
      const raw = [Buffer.from('content-type'), Buffer.from(type)];
      if (!stream) raw.push(Buffer.from('content-length'), Buffer.from(String(ANSWER_BYTES.length)));
      h.onHeaders(200, raw, () => undefined, 'OK');
      for (const p of parts) if (!over) h.onData(Buffer.from(p));
      if (over) return;
      over = true;
      h.onComplete([]);
    });
    return true;
  }

  override close(): Promise<void> {
    return Promise.resolve();
  }

  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}

/** Which request the i-th is: 3 of 4 chat (every 8th of those streamed) when `ai`, else plain. */
function pick(i: number, ai: boolean): { path: string; body: string } {
  if (!ai || i % 4 === 3) return { path: '/plain', body: BODY };
  return { path: '/chat', body: i % 8 === 1 ? STREAM_BODY : BODY };
}

export async function warmUp(logger: Logger, opts: WarmUpOptions): Promise<WarmUp> {
  const w = await run(logger, opts);
  // the closed sockets let go of their server when their 'close' events and a turn of the timers have run
  await new Promise((resolve) => setTimeout(resolve, 0));
  // in a frame of its own: run()'s suspended frame may still hold its runtime and servers
  collectGarbage();
  return w;
}

async function run(logger: Logger, opts: WarmUpOptions): Promise<WarmUp> {
  const { ai, requests = WARM_UP_REQUESTS, cpuBudgetMs = WARM_UP_CPU_MS, budgetMs = WARM_UP_BUDGET_MS, concurrency = 8 } = opts;
  const t0 = performance.now();
  const silent: Logger = { ...logger, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const upstream = stub();
  const llm = createLlmCaller({ env: {}, dispatcher: new StubLlm() });
  const stores = new PluginStores();
  const agents = createAgents();
  let proxy: http.Server | null = null;
  // node's own HTTP client (its native parser), not an undici Pool: undici's parser is left cold (StubLlm)
  let client: http.Agent | null = null;
  const sockets = new Set<Socket>();
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
    const agent = (client = new http.Agent({ keepAlive: true, maxSockets: concurrency }));
    t1 = performance.now();
    c1 = cpuMs();
    const one = (i: number): Promise<void> => new Promise((resolve, reject) => {
      const { path, body } = pick(i, ai);
      const req = http.request(`${base}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          resolve();
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.on('socket', (s: Socket) => sockets.add(s));
      req.end(body);
    });
    const worker = async (): Promise<void> => {
      while (done < requests && cpuMs() - c1 < cpuBudgetMs && performance.now() - t1 < budgetMs) await one(done++);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } catch (err) {
    logger.debug('warm-up stopped early', { error: String(err) });
  } finally {
    client?.destroy();
    // their 'close' events run before the GC below: until then a socket holds its request and agent
    await Promise.all([...sockets].map((s) => (s.closed ? null : new Promise((resolve) => s.once('close', resolve)))));
    if (proxy) await closed(proxy);
    await closed(upstream);
    destroyAgents(agents);
    await stores.disposeAll();
    await llm.close();
    c2 = cpuMs();
  }
  return { requests: done, ok, ms: performance.now() - t0, cpuMs: c2 - c1 };
}
