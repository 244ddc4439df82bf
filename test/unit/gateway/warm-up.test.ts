// Warm-up before listen (issue 10: the first 2 s after start had 13-60× the warm p99): requests run
// through the gateway's own request handler and pipeline against an in-process stub, all answered,
// within the budget, and none of them reaches the user's gateway: its upstreams, counters, metrics,
// rate limits, caches, access log and logger stay untouched, and no plugin the configuration does
// not name is loaded.
import http from 'node:http';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { handleRequest, type PipelineEnv } from '../../../src/gateway/pipeline.js';
import { LOADED_PLUGINS } from '../../../src/gateway/plugins/index.js';
import type { Runtime } from '../../../src/gateway/runtime.js';
import { warmUp } from '../../../src/gateway/warm-up.js';
import { startGateway } from '../../../src/gateway/server.js';
import { stateFrom } from '../../helpers/gateway.js';
import { request, startUpstream } from '../../helpers/net.js';

const serverFor = (rt: Runtime, env: PipelineEnv): http.Server => http.createServer((req, res) => void handleRequest(rt, env, req, res));

describe('warm-up before listen', () => {
  // first in this file: nothing else here has loaded ai-proxy yet
  it('a configuration without ai-proxy is warmed on the plain proxy path and ai-proxy is not loaded', async () => {
    const state = await stateFrom('_format_version: "3.0"\nservices:\n- name: s\n  url: http://127.0.0.1:9\n  routes:\n  - name: r\n    paths: [/r]\n');
    const gw = await startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger: memoryLogger(), accessLog: 'off', warmUp: true });
    try {
      expect(LOADED_PLUGINS.has('ai-proxy')).toBe(false);
    } finally {
      await gw.close(0);
    }
  });

  it('runs requests (plain, chat, streamed chat) through the given server, every one answered 200, and stops at the request cap', async () => {
    let served = 0;
    const w = await warmUp(memoryLogger(), { ai: true, requests: 24, cpuBudgetMs: 60_000, budgetMs: 60_000, serverFor: (rt, env) => serverFor(rt, env).on('request', () => served++) });
    expect(w.requests).toBe(24);
    expect(w.ok).toBe(24);
    expect(served).toBe(24);
  });

  // before any test here that calls an LLM through undici: its parser is loaded by the first connection
  it('its LLM calls never reach undici\'s HTTP parser (a stub dispatcher answers them): that parser\'s compile is left to the first real upstream', async () => {
    const parser = (): string[] => Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('undici/lib/llhttp/llhttp'));
    expect(parser()).toEqual([]);
    const w = await warmUp(memoryLogger(), { ai: true, requests: 16, cpuBudgetMs: 60_000, budgetMs: 60_000, serverFor });
    expect(w.ok).toBe(16);
    expect(parser()).toEqual([]);
  });

  it('calls the per-request callback it is given for every request (the access log is warmed with a sink)', async () => {
    const paths: string[] = [];
    const w = await warmUp(memoryLogger(), { ai: true, requests: 16, cpuBudgetMs: 60_000, budgetMs: 60_000, serverFor, onDone: (ctx) => paths.push(ctx.path) });
    expect(w.ok).toBe(16);
    expect(paths).toHaveLength(16);
    expect(new Set(paths)).toEqual(new Set(['/chat', '/plain']));
  });

  it('stops at the time budget', async () => {
    const w = await warmUp(memoryLogger(), { ai: true, requests: 1_000_000, budgetMs: 150, serverFor });
    expect(w.requests).toBeGreaterThan(0);
    expect(w.requests).toBeLessThan(1_000_000);
    expect(w.ok).toBe(w.requests);
  });

  it('stops at the CPU budget (the process\'s CPU time, not wall time)', async () => {
    const w = await warmUp(memoryLogger(), { ai: true, requests: 1_000_000, cpuBudgetMs: 200, budgetMs: 60_000, serverFor });
    expect(w.requests).toBeGreaterThan(0);
    expect(w.requests).toBeLessThan(1_000_000);
    expect(w.ok).toBe(w.requests);
    expect(w.cpuMs).toBeGreaterThanOrEqual(200);
    expect(w.ms).toBeLessThan(60_000);
  });

  it('leaves its runtime and servers to a full GC before it returns (its garbage is not left on the heap)', async () => {
    let runtime: WeakRef<object> | null = null;
    let server: WeakRef<object> | null = null;
    const w = await warmUp(memoryLogger(), { ai: true, requests: 16, cpuBudgetMs: 60_000, budgetMs: 60_000, serverFor: (rt, env) => {
      runtime = new WeakRef(rt);
      const s = serverFor(rt, env);
      server = new WeakRef(s);
      return s;
    } });
    expect(w.ok).toBe(16);
    expect(runtime).not.toBeNull();
    expect({ runtime: runtime!.deref() === undefined, server: server!.deref() === undefined }).toEqual({ runtime: true, server: true });
  });

  it('a gateway started with warmUp calls, counts, logs, limits, caches and measures nothing of it', async () => {
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
    });
    const yaml = `_format_version: "3.0"
plugins:
- name: prometheus
  config: { per_consumer: false, status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, upstream_health_metrics: true, ai_metrics: true }
services:
- name: s
  url: ${up.url}
  routes:
  - name: chat
    paths: [/chat]
    plugins:
    - name: rate-limiting
      config: { minute: 5, policy: local }
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer k" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${up.url}/v1/chat/completions" } }
  - name: plain
    paths: [/plain]
    plugins:
    - name: proxy-cache
      config: { strategy: memory, request_method: [GET, POST], content_type: [application/json] }
`;
    const state = await stateFrom(yaml);
    const start = async (warm: boolean) => {
      const logger = memoryLogger();
      const lines: string[] = [];
      const gw = await startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger, accessLog: 'json', accessWrite: (l) => lines.push(l), warmUp: warm });
      return { gw, logger, lines };
    };
    const cold = await start(false);
    const warm = await start(true);
    try {
      expect(up.seen).toEqual([]);
      expect(warm.gw.stats).toEqual(cold.gw.stats);
      expect(warm.lines).toEqual([]);
      expect(warm.logger.lines.map((l) => l.msg)).toEqual([expect.stringMatching(/^warmed up: ([1-9]\d*)\/\1 requests answered in \d+ ms$/)]);
      // the metrics (prometheus plugin, node metrics) have no sample the cold gateway has not
      const samples = async (g: typeof warm.gw) => (await g.metrics.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#') && !/process_|nodejs_|_seconds_total|timestamp|uptime/.test(l)).sort();
      expect(await samples(warm.gw)).toEqual(await samples(cold.gw));
      // the rate limit has counted nothing yet; the cache has nothing stored
      const chat = await request(`${warm.gw.proxyUrl}/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages":[{"role":"user","content":"hi"}]}' });
      expect(chat.status).toBe(200);
      expect(chat.headers['x-ratelimit-remaining-minute']).toBe('4');
      const plain = await request(`${warm.gw.proxyUrl}/plain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages":[]}' });
      expect(plain.headers['x-cache-status']).toBe('Miss');
      expect(up.seen.map((s) => s.url)).toEqual(['/v1/chat/completions', '/']);
    } finally {
      await cold.gw.close(0);
      await warm.gw.close(0);
      await up.close();
    }
  });
});
