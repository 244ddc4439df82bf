/** opentelemetry: W3C propagation, spans per request (plugin phases, LLM call with gen_ai.*), OTLP/HTTP export to a local receiver. */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { SpanExporter } from '../../../src/gateway/plugins/opentelemetry/exporter.js';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, stateFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver.js';
import { startGateway } from '../../../src/gateway/server.js';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

const otel = (receiver: string, extra = '') => `
          - name: opentelemetry
            config:
              traces_endpoint: ${receiver}
              http_response_header_for_traceid: x-trace-id
              resource_attributes: { service.name: aigw-test }
              queue: { max_coalescing_delay: 0.05 }${extra}`;

const yaml = (receiver: string, mockUrl: string, upstreamUrl: string) => `_format_version: "3.0"
services:
  - name: llm
    url: http://localhost:32000
    routes:
      - name: ai-chat
        paths: [/ai/chat]
        plugins:
          - name: key-auth
            config: { key_names: [apikey] }
          - name: ai-proxy
            config:
              route_type: llm/v1/chat
              auth: { header_name: Authorization, header_value: Bearer k }
              model: { provider: openai, name: gpt-4o, options: { max_tokens: 256, input_cost: 2.5, output_cost: 10, upstream_url: "${mockUrl}/v1/chat/completions" } }
${otel(receiver)}
      - name: ai-unsampled
        paths: [/ai/unsampled]
        plugins:
          - name: ai-proxy
            config:
              route_type: llm/v1/chat
              auth: { header_name: Authorization, header_value: Bearer k }
              model: { provider: openai, name: gpt-4o-mini, options: { upstream_url: "${mockUrl}/v1/chat/completions" } }
${otel(receiver, '\n              sampling_rate: 0')}
  - name: plain
    url: ${upstreamUrl}
    routes:
      - name: plain
        paths: [/plain]
        plugins:
${otel(receiver, '\n              propagation: { extract: [w3c], clear: [x-b3-traceid], inject: [preserve] }')}
consumers:
  - username: app
    keyauth_credentials: [{ key: k1 }]
`;

const chat = (gw: TestGateway, path: string, headers: Record<string, string> = {}) =>
  request(`${gw.proxyUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: 'k1', ...headers }, body: JSON.stringify({ messages: [{ role: 'user', content: 'What is 1 + 1?' }], temperature: 0.2 }) });

const ofTrace = (spans: ReceivedSpan[], traceId: string) => spans.filter((s) => s.traceId === traceId);

describe('opentelemetry plugin', () => {
  let receiver: OtlpReceiver;
  let mock: MockServer;
  let up: TestUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    mock = await startMock();
    up = await startUpstream();
    gw = await gatewayFrom(yaml(receiver.url, mock.url, up.url));
  });
  afterAll(async () => {
    await gw?.close(100);
    await up?.close();
    await mock?.close();
    await receiver?.close();
  });

  it('continues the client trace: spans for the request, each plugin phase and the LLM call with gen_ai attributes', async () => {
    const res = await chat(gw, '/ai/chat', { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=1' });
    expect(res.status).toBe(200);
    expect(res.headers['x-trace-id']).toBe(CLIENT_TRACE);
    const usage = res.json<{ usage: { prompt_tokens: number; completion_tokens: number } }>().usage;
    const spans = ofTrace(await receiver.waitFor((s) => ofTrace(s, CLIENT_TRACE).some((x) => x.name.startsWith('chat '))), CLIENT_TRACE);
    const root = spans.find((s) => s.name === 'kong');
    expect(root).toMatchObject({ parentSpanId: CLIENT_SPAN, kind: 2 });
    expect(root?.attributes).toMatchObject({ 'http.method': 'POST', 'http.status_code': 200, 'http.route': '/ai/chat', 'kong.route.name': 'ai-chat', 'kong.consumer.username': 'app' });
    expect(root?.resource).toMatchObject({ 'service.name': 'aigw-test' });
    expect(root?.scope.name).toBe('kong');
    // plugin phases, in the order they ran, children of the request span
    const phases = spans.filter((s) => s.name.startsWith('kong.access.plugin.'));
    expect(phases.map((s) => s.name)).toEqual(['kong.access.plugin.key-auth', 'kong.access.plugin.ai-proxy']);
    for (const p of phases) expect(p.parentSpanId).toBe(root?.spanId);
    const llm = spans.find((s) => s.name === 'chat gpt-4o');
    expect(llm).toMatchObject({ parentSpanId: root?.spanId, kind: 3 });
    expect(llm?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.id': expect.stringMatching(/^chatcmpl-/),
      'kong.ai.cost': (usage.prompt_tokens * 2.5 + usage.completion_tokens * 10) / 1e6,
    });
    expect(llm && root && llm.startNs >= root.startNs && llm.endNs <= root.endNs).toBe(true);
    // the LLM was called with this trace, the LLM span as parent, and the client's tracestate
    const seen = mock.requests().at(-1);
    expect(seen?.headers.traceparent).toBe(`00-${CLIENT_TRACE}-${llm?.spanId}-01`);
    expect(seen?.headers.tracestate).toBe('vendor=1');
  });

  it('starts a trace when the client sends none, and names the refusing plugin', async () => {
    const res = await chat(gw, '/ai/chat', { apikey: 'wrong' });
    expect(res.status).toBe(401);
    const traceId = String(res.headers['x-trace-id']);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe(CLIENT_TRACE);
    const spans = ofTrace(await receiver.waitFor((s) => ofTrace(s, traceId).length >= 2), traceId);
    const root = spans.find((s) => s.name === 'kong');
    expect(root?.parentSpanId).toBe('');
    expect(root?.attributes['http.status_code']).toBe(401);
    expect(spans.find((s) => s.name === 'kong.access.plugin.key-auth')?.attributes['kong.exit.status']).toBe(401);
    expect(spans.some((s) => s.name.startsWith('chat '))).toBe(false);
  });

  it('propagates to plain upstreams with a kong.balancer span, and clears headers as configured', async () => {
    const res = await request(`${gw.proxyUrl}/plain/x`, { headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, 'x-b3-traceid': 'abc' } });
    expect(res.status).toBe(200);
    const seen = up.seen.at(-1);
    expect(seen?.headers['x-b3-traceid']).toBeUndefined();
    const parent = String(seen?.headers.traceparent).split('-')[2];
    const spans = await receiver.waitFor((s) => s.some((x) => x.name === 'kong.balancer' && x.spanId === parent));
    const bal = spans.find((x) => x.spanId === parent);
    expect(bal).toMatchObject({ traceId: CLIENT_TRACE, kind: 3 });
    expect(bal?.attributes['http.status_code']).toBe(200);
  });

  it('does not export unsampled requests but still propagates, and honours a parent that dropped the trace', async () => {
    const before = receiver.spans.length;
    const res = await chat(gw, '/ai/unsampled');
    expect(res.status).toBe(200);
    expect(mock.requests().at(-1)?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const dropped = await chat(gw, '/ai/chat', { traceparent: `00-${'1'.repeat(32)}-${CLIENT_SPAN}-00` });
    expect(dropped.status).toBe(200);
    expect(mock.requests().at(-1)?.headers.traceparent).toMatch(new RegExp(`^00-${'1'.repeat(32)}-[0-9a-f]{16}-00$`));
    // a sampled request after them shows the exporter is flowing, and nothing of the two arrived
    const later = await chat(gw, '/ai/chat');
    const id = String(later.headers['x-trace-id']);
    await receiver.waitFor((s) => ofTrace(s, id).length > 0);
    // spans of earlier tests' traces may still arrive in a later batch (a loaded machine): no new trace but this one
    const earlier = new Set(receiver.spans.slice(0, before).map((s) => s.traceId));
    expect(receiver.spans.slice(before).filter((s) => s.traceId !== id && !earlier.has(s.traceId))).toEqual([]);
  });

  it('refuses at startup what aigw cannot do, with the reason', async () => {
    const base = (config: string) => `_format_version: "3.0"\nplugins:\n  - name: opentelemetry\n    config: ${config}\n`;
    const cases: Array<[string, string]> = [
      [`{ traces_endpoint: "${receiver.url}", header_type: b3 }`, "header_type 'b3' is not supported by aigw serve: aigw reads and writes W3C trace context only"],
      [`{ traces_endpoint: "${receiver.url}", propagation: { extract: [w3c, datadog] } }`, "propagation.extract 'datadog' is not supported"],
      [`{ logs_endpoint: "${receiver.url}" }`, 'logs_endpoint is not supported by aigw serve: aigw exports traces only'],
      [`{ traces_endpoint: "${receiver.url}", access_logs: { endpoint: "${receiver.url}" } }`, 'access_logs.endpoint is not supported'],
    ];
    for (const [config, message] of cases) {
      const state = await stateFrom(base(config));
      await expect(startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger: memoryLogger(), accessLog: 'off' })).rejects.toThrow(message);
    }
  });
});

describe('opentelemetry exporter', () => {
  const span = (i: number): ReadableSpan => {
    const ctx = { traceId: 'a'.repeat(32), spanId: String(i).padStart(16, '0'), traceFlags: 1 };
    return {
      name: `s${i}`, kind: SpanKind.INTERNAL, spanContext: () => ctx, startTime: [1, 0], endTime: [1, 5], duration: [0, 5],
      status: { code: SpanStatusCode.UNSET }, attributes: {}, links: [], events: [], ended: true,
      resource: resourceFromAttributes({ 'service.name': 'kong' }), instrumentationScope: { name: 'kong' },
      droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    };
  };

  it('retries a failing endpoint until it answers', async () => {
    const receiver = await startOtlpReceiver();
    const queue = { maxBatchSize: 2, maxCoalescingDelay: 0.02, maxEntries: 100, maxRetryTime: 10, initialRetryDelay: 0.05, maxRetryDelay: 0.1 };
    const exporter = new SpanExporter({ endpoint: new URL(receiver.url), headers: { 'x-api-token': 't' }, connectTimeout: 2000, sendTimeout: 2000, readTimeout: 2000, queue }, memoryLogger());
    try {
      receiver.failNext(2);
      exporter.add([span(1), span(2)]);
      await receiver.waitFor((s) => s.length === 2);
      await expect.poll(() => exporter.stats.exported).toBe(2);
      expect(exporter.stats).toMatchObject({ exported: 2, failedRequests: 2, droppedQueueFull: 0, droppedFailed: 0 });
      expect(receiver.requests[0].headers['x-api-token']).toBe('t');
      expect(receiver.spans.map((s) => s.name)).toEqual(['s1', 's2']);
    } finally {
      await exporter.close(500);
      await receiver.close();
    }
  });

  it('bounds its queue and counts what it drops when the endpoint keeps failing', async () => {
    const receiver = await startOtlpReceiver();
    const logger = memoryLogger();
    const queue = { maxBatchSize: 2, maxCoalescingDelay: 0.02, maxEntries: 3, maxRetryTime: 0.1, initialRetryDelay: 0.05, maxRetryDelay: 0.05 };
    const exporter = new SpanExporter({ endpoint: new URL(receiver.url), headers: {}, connectTimeout: 2000, sendTimeout: 2000, readTimeout: 2000, queue }, logger);
    try {
      receiver.failNext(1000);
      exporter.add([1, 2, 3, 4, 5, 6].map(span));
      await expect.poll(() => exporter.stats.droppedQueueFull + exporter.stats.droppedFailed, { timeout: 15_000 }).toBe(6);
      expect(exporter.stats.droppedQueueFull).toBe(1);
      expect(exporter.stats.exported).toBe(0);
    } finally {
      await exporter.close(500);
      await receiver.close();
    }
    const warn = logger.lines.find((l) => l.level === 'warn');
    expect(warn?.msg).toBe('opentelemetry: dropped 6 spans in the last 10 s (1 queue full, 5 export failed)');
    expect(warn?.fields).toMatchObject({ last_error: expect.stringContaining('answered 503'), dropped_total: 6, exported_total: 0 });
  });
});
