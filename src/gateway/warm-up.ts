/**
 * Warm the proxy's hot path before the listener takes traffic: a freshly started node runs its
 * first requests 5-15× slower (code not yet optimised, undici's parser not instantiated), which
 * made the first seconds' p99 many times the warm one. This drives a few hundred requests through
 * the real pipeline — an ai-proxy route (OpenAI chat) and a plain proxied route — against a stub
 * upstream, all in-process on 127.0.0.1 ports of its own, with its own runtime, stores, metrics
 * and connection pools (nothing of the user's configuration is called, counted or logged), within
 * a time budget.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { Pool } from 'undici';
import { loadStateFromText } from '../config/index.js';
import { createLlmCaller } from './llm/call/caller.js';
import type { Logger } from './log.js';
import { handleRequest } from './pipeline.js';
import { buildRuntime } from './runtime.js';
import { PluginStores } from './stores.js';
import { createAgents, destroyAgents } from './upstream.js';

export interface WarmUp {
  requests: number;
  /** Requests answered 200 (all of them unless something is broken). */
  ok: number;
  ms: number;
}

const ANSWER = JSON.stringify({
  id: 'chatcmpl-warm-up', object: 'chat.completion', created: 0, model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
});
const BODY = JSON.stringify({ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say ok.' }] });

const config = (upstream: string): string => `_format_version: "3.0"
services:
- name: warm-up
  url: ${upstream}/plain
  routes:
  - name: warm-up-plain
    paths: [/plain]
  - name: warm-up-chat
    paths: [/chat]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer warm-up" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 16, upstream_url: "${upstream}/v1/chat/completions" } }
`;

const listen = (s: http.Server): Promise<string> => new Promise((resolve, reject) => {
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`));
});
const closed = (s: http.Server): Promise<void> => new Promise((resolve) => {
  s.closeAllConnections();
  s.close(() => resolve());
});

/** At most `requests` requests or `budgetMs` of them (whichever comes first; set-up not counted), 4 at a time. */
export async function warmUp(logger: Logger, requests = 300, budgetMs = 800): Promise<WarmUp> {
  const t0 = performance.now();
  const silent: Logger = { ...logger, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER));
  });
  const llm = createLlmCaller({ env: {} });
  const stores = new PluginStores();
  const agents = createAgents();
  let proxy: http.Server | null = null;
  let done = 0;
  let ok = 0;
  let t1 = t0;
  try {
    const up = await listen(upstream);
    const runtime = buildRuntime(await loadStateFromText(config(up)), { logger: silent, stores, metrics: new Registry(), env: {}, llm });
    const env = { agents, listenPort: 0, logger: silent, onDone: null, requestId: () => 'warm-up' };
    proxy = http.createServer((req, res) => void handleRequest(runtime, env, req, res).catch(() => res.destroy()));
    const base = await listen(proxy);
    const client = new Pool(base, { connections: 4 });
    t1 = performance.now();
    const one = async (i: number): Promise<void> => {
      const chat = i % 4 !== 3;
      const r = await client.request({ path: chat ? '/chat' : '/plain', method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
      await r.body.text();
      if (r.statusCode === 200) ok++;
    };
    const worker = async (): Promise<void> => {
      while (done < requests && performance.now() - t1 < budgetMs) await one(done++);
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await client.close();
  } catch (err) {
    logger.debug('warm-up stopped early', { error: String(err) });
  } finally {
    if (proxy) await closed(proxy);
    await closed(upstream);
    destroyAgents(agents);
    await stores.disposeAll();
    await llm.close();
  }
  return { requests: done, ok, ms: performance.now() - t0 };
}
