import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Slot, type GatewayContext } from '../../../src/gateway/context.js';
import { ReplyError, type Plugin } from '../../../src/gateway/plugin.js';
import { loadAllPlugins } from '../../../src/gateway/plugins/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

const SEEN_MODEL = new Slot<string>('test.model');
const logged: Array<{ status: number; model: string | undefined; bytes: number }> = [];

/** A stand-in for ai-proxy: reads the JSON body once, takes over the upstream call. */
const takeover: Plugin<Record<string, unknown>> = {
  name: 'test-takeover',
  priority: 770,
  create(config) {
    return {
      async access(ctx: GatewayContext) {
        const body = (await ctx.json()) as { model?: string; stream?: boolean; fail?: boolean } | undefined;
        ctx.set(SEEN_MODEL, body?.model ?? 'none');
        if (body?.fail) throw new ReplyError({ status: 400, json: { error: { message: 'bad request' } } });
        ctx.upstreamHandler = async () => {
          if (body?.stream) {
            async function* chunks() {
              yield 'data: one\n\n';
              yield 'data: two\n\n';
              yield 'data: [DONE]\n\n';
            }
            return { kind: 'stream', status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: chunks() };
          }
          return { kind: 'buffered', status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ model: body?.model, mode: config.mode })) };
        };
      },
    };
  },
};

/** Edits buffered responses and streamed chunks; records what the log phase sees. */
const shaper: Plugin<Record<string, unknown>> = {
  name: 'test-shaper',
  priority: 769,
  create() {
    return {
      response(_ctx, res) {
        const v = JSON.parse(res.body.toString()) as Record<string, unknown>;
        res.body = Buffer.from(JSON.stringify({ ...v, shaped: true }));
        res.headers['x-shaped'] = 'yes';
      },
      chunk(_ctx, chunk) {
        const text = chunk.toString();
        return text.includes('two') ? null : Buffer.from(text.toUpperCase());
      },
      log(ctx, record) {
        logged.push({ status: record.response.status, model: ctx.get(SEEN_MODEL), bytes: record.response.size });
      },
    };
  },
};

describe('pipeline phases for plugins that take over the upstream call', () => {
  let up: TestUpstream;
  let gw: TestGateway;
  beforeAll(async () => {
    up = await startUpstream();
    const plugins = new Map(await loadAllPlugins());
    plugins.set('test-takeover', takeover as Plugin<never>);
    plugins.set('test-shaper', shaper as Plugin<never>);
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: echo
  url: ${up.url}
  routes:
  - name: ai
    paths: [/ai]
    plugins:
    - name: test-takeover
      config: { mode: m1 }
    - name: test-shaper
    - name: key-auth
  - name: plain
    paths: [/plain]
    plugins:
    - name: test-shaper
consumers:
- username: u
  keyauth_credentials: [{ key: k }]
`, { plugins });
  });
  afterAll(async () => {
    await gw.close(100);
    await up.close();
  });

  it('runs access in priority order, then the handler, then response phases', async () => {
    const denied = await request(`${gw.proxyUrl}/ai`, { method: 'POST', body: '{"model":"m"}' });
    expect(denied.status).toBe(401);
    const res = await request(`${gw.proxyUrl}/ai`, { method: 'POST', headers: { apikey: 'k', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-x' }) });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ model: 'gpt-x', mode: 'm1', shaped: true });
    expect(res.headers['x-shaped']).toBe('yes');
    expect(res.headers['content-length']).toBe(String(res.text.length));
    expect(up.seen.length).toBe(0);
  });

  it('streams handler chunks through chunk phases (edit and drop)', async () => {
    const res = await request(`${gw.proxyUrl}/ai`, { method: 'POST', headers: { apikey: 'k' }, body: JSON.stringify({ model: 's', stream: true }) });
    expect(res.text).toBe('DATA: ONE\n\nDATA: [DONE]\n\n');
    expect(res.headers['content-type']).toBe('text/event-stream');
  });

  it('turns a ReplyError into its reply', async () => {
    const res = await request(`${gw.proxyUrl}/ai`, { method: 'POST', headers: { apikey: 'k' }, body: JSON.stringify({ fail: true }) });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: { message: 'bad request' } });
  });

  it('buffers proxied responses only when a response phase exists, and logs after the reply', async () => {
    const res = await request(`${gw.proxyUrl}/plain/x`);
    expect(res.json<{ url: string; shaped: boolean }>()).toMatchObject({ url: '/x', shaped: true });
    await new Promise((r) => setTimeout(r, 20));
    const last = logged.at(-1);
    expect(last?.status).toBe(200);
    expect(last?.bytes).toBe(res.text.length);
    expect(logged.some((l) => l.model === 'gpt-x')).toBe(true);
  });
});
