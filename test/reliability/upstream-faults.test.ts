/**
 * Reliability: the upstream fault matrix (issue 10, defect 7). Every way an upstream can fail at
 * the transport level — refused, closed or reset before answering, bytes that are not HTTP, a
 * broken header, a broken chunked body, a reset in the middle of the body, silence — on every
 * route type (a plain service, ai-proxy buffered and streamed, ai-proxy `preserve`,
 * ai-proxy-advanced) is a 502, or a 504 for silence: never a 500, never an "unexpected error" in
 * the log, and the gateway keeps serving.
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../helpers/gateway.js';
import { freePort, request } from '../helpers/net.js';

type Fault = 'refused' | 'close' | 'reset' | 'garbage' | 'badheader' | 'badchunk' | 'midbody' | 'hang';

const HEADS = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n';
/** What the fault server does once it has a request head, by the `/fault/<kind>` in its path. */
const ACTIONS: Record<Exclude<Fault, 'refused'>, (s: net.Socket) => void> = {
  close: (s) => s.end(),
  reset: (s) => s.resetAndDestroy(),
  garbage: (s) => s.end('SSH-2.0-OpenSSH_9.6 this is not HTTP\r\n\r\n'),
  badheader: (s) => s.end(`${HEADS}bad header line\r\n\r\n{}`),
  badchunk: (s) => s.end(`${HEADS}transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
  midbody: (s) => {
    s.write(`${HEADS}content-length: 500\r\n\r\n{"id":"chatcmpl-1","object":"chat.completion",`);
    setTimeout(() => s.resetAndDestroy(), 20);
  },
  hang: () => undefined,
};

async function faultServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let head = '';
    const onData = (c: Buffer): void => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', onData);
      s.resume();
      const kind = /\/fault\/([a-z]+)/.exec(head.split('\r\n')[0])?.[1] as keyof typeof ACTIONS | undefined;
      (kind && ACTIONS[kind] ? ACTIONS[kind] : ACTIONS.garbage)(s);
    };
    s.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

interface RouteKind {
  name: string;
  /** The route's plugins (YAML flow), given the upstream base URL of a fault. */
  plugins(base: string): string;
  /** Path the client calls, and its body. */
  path: string;
  body?: Record<string, unknown>;
  /** Faults after which the answer may already have started (the status is the upstream's). */
  started: readonly Fault[];
}

const CHAT = { messages: [{ role: 'user', content: 'hi' }] };
const openai = (base: string) => `{ provider: openai, name: gpt-4o, options: { upstream_url: "${base}/v1/chat/completions" } }`;

const KINDS: RouteKind[] = [
  { name: 'plain', plugins: () => '[]', path: '', started: ['midbody'] },
  { name: 'ai-chat', plugins: (b) => `[{ name: ai-proxy, config: { route_type: llm/v1/chat, model: ${openai(b)} } }]`, path: '', body: CHAT, started: [] },
  { name: 'ai-stream', plugins: (b) => `[{ name: ai-proxy, config: { route_type: llm/v1/chat, model: ${openai(b)} } }]`, path: '', body: { ...CHAT, stream: true }, started: [] },
  { name: 'ai-preserve', plugins: (b) => `[{ name: ai-proxy, config: { route_type: preserve, model: { provider: openai, options: { upstream_url: "${b}" } } } }]`, path: '/v1/chat/completions', body: CHAT, started: [] },
  { name: 'ai-advanced', plugins: (b) => `[{ name: ai-proxy-advanced, config: { balancer: { read_timeout: 800, connect_timeout: 800, write_timeout: 800 }, targets: [{ route_type: llm/v1/chat, model: ${openai(b)} }] } }]`, path: '', body: CHAT, started: [] },
];

const FAULTS: Fault[] = ['refused', 'close', 'reset', 'garbage', 'badheader', 'badchunk', 'midbody', 'hang'];

describe('upstream fault matrix', () => {
  let faults: Awaited<ReturnType<typeof faultServer>>;
  let gw: TestGateway;

  beforeAll(async () => {
    faults = await faultServer();
    const dead = await freePort();
    const base = (f: Fault) => (f === 'refused' ? `http://127.0.0.1:${dead}/fault/refused` : `http://127.0.0.1:${faults.port}/fault/${f}`);
    const services = FAULTS.flatMap((f) => KINDS.map((k) => `
- name: ${k.name}-${f}
  url: ${base(f)}
  read_timeout: 800
  write_timeout: 800
  connect_timeout: 800
  retries: 0
  routes:
  - name: ${k.name}-${f}
    paths: [/${k.name}/${f}]
    plugins: ${k.plugins(base(f))}`)).join('');
    gw = await gatewayFrom(`_format_version: "3.0"\nservices:${services}\n`);
  });
  afterAll(async () => {
    await gw.close(0);
    await faults.close();
  });

  it.each(KINDS.map((k) => [k.name, k] as const))('%s routes answer 502 / 504 for every upstream fault', async (_name, kind) => {
    const got: Record<string, number | string> = {};
    await Promise.all(FAULTS.map(async (f) => {
      const res = await Promise.race([
        request(`${gw.proxyUrl}/${kind.name}/${f}${kind.path}`, kind.body
          ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(kind.body) }
          : {}).catch((err: Error) => ({ status: `error ${err.message}` })),
        new Promise<{ status: string }>((r) => setTimeout(() => r({ status: 'no answer in 8 s' }), 8000)),
      ]);
      got[f] = res.status;
    }));
    const want = Object.fromEntries(FAULTS.map((f) => [f, kind.started.includes(f) ? got[f] : f === 'hang' ? 504 : 502]));
    expect(got).toEqual(want);
    const unexpected = gw.logger.lines.filter((l) => l.level === 'error' && /unexpected|request failed/.test(l.msg));
    expect(unexpected).toEqual([]);
  });

  it('keeps serving after the whole matrix', async () => {
    const res = await request(`${gw.proxyUrl}/plain/garbage`);
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({ message: 'An invalid response was received from the upstream server' });
  });
});
