/**
 * Reliability: token budgets under concurrency with every body framing (issue 10, defect 3).
 *
 * 100 simultaneous requests against a budget of 100 tokens a minute (ai-rate-limiting-advanced,
 * local and Redis), each body sent with content-length, chunked in one chunk, chunked one byte a
 * chunk, or chunked in pieces with pauses; with and without max_tokens. The mock counts words:
 * "hello there friend" is 3 prompt tokens (Kong's word count) and the upstream's answer uses 6
 * completion tokens (9 in all). The upstream holds every answer until each of the 100 requests has
 * been admitted (it holds it) or refused (429), so no request is settled before the others are
 * decided: the reservation alone must hold the line.
 *
 * README's bound: tokens spent < limit + the real usage of one request (9 here). With max_tokens 6
 * each request reserves exactly what it spends (3 + 6): 11 are admitted (99 tokens; the 12th
 * prompt does not fit). Without max_tokens each reserves 3 + 4096 (the default completion
 * reservation): exactly one is admitted until it is settled.
 */
import http, { type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeClock } from '../helpers/clock.js';
import { gatewayFrom, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../helpers/net.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const KEY = 'sk-test';
const LIMIT = 100;
const ONE_REQUEST = 9;
type Framing = 'content-length' | 'chunked' | 'chunked-1-byte' | 'chunked-slow';
const FRAMINGS: Framing[] = ['content-length', 'chunked', 'chunked-1-byte', 'chunked-slow'];

/** Kong 3.14's policies: one per x-case value (partition_by on a header condition), fixed 60 s windows. */
const POLICY = `identifier: ip, policies: [{ match: [{ type: header, key: x-case, partition_by: true }], limits: [{ limit: ${LIMIT}, window_size: 60 }], window_type: fixed }]`;

function yaml(mock: string, redisPort: number): string {
  const route = (name: string, extra: string, limits = `identifier: header, header_name: x-case, window_type: fixed, llm_providers: [{ name: openai, limit: [${LIMIT}], window_size: [60] }]`): string => `
  - name: ${name}
    paths: [/${name}]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${mock}/v1/chat/completions" } }
    - name: ai-rate-limiting-advanced
      config: { ${limits}${extra} }`;
  return `
_format_version: "3.0"
services:
- name: llm
  url: http://127.0.0.1:9
  routes:${route('local', '')}${route('redis', `, strategy: redis, redis: { host: 127.0.0.1, port: ${redisPort} }`)}${route('policy-local', '', POLICY)}${route('policy-redis', `, strategy: redis, redis: { host: 127.0.0.1, port: ${redisPort} }`, POLICY)}
`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pieces a framing writes the body in (null: one write with content-length). */
function pieces(body: Buffer, framing: Framing): Buffer[] {
  if (framing === 'chunked-1-byte') return [...body].map((b) => Buffer.from([b]));
  if (framing === 'chunked-slow') {
    const third = Math.ceil(body.length / 3);
    return [body.subarray(0, third), body.subarray(third, 2 * third), body.subarray(2 * third)];
  }
  return [body];
}

/** One POST with the body framed as asked; resolves with the status and the parsed answer. */
function send(url: string, body: Buffer, framing: Framing, team: string): Promise<{ status: number; json: { usage?: { total_tokens: number } } }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-case': team };
  if (framing === 'content-length') headers['content-length'] = String(body.length);
  else headers['transfer-encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { usage?: { total_tokens: number } } }));
      res.on('error', reject);
    });
    req.on('error', reject);
    void (async () => {
      for (const [i, p] of pieces(body, framing).entries()) {
        if (framing === 'chunked-slow' && i > 0) await sleep(40);
        req.write(p);
      }
      req.end();
    })();
  });
}

interface Outcome { admitted: number; spent: number; statuses: Set<number> }

const ANSWER = JSON.stringify({
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'six words of answer right here' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 6, total_tokens: ONE_REQUEST },
});

/** An OpenAI upstream that holds its answers (per x-case) until they are released. */
class HeldUpstream {
  readonly held = new Map<string, ServerResponse[]>();
  handle(team: string, res: ServerResponse): void {
    const list = this.held.get(team) ?? [];
    list.push(res);
    this.held.set(team, list);
  }
  count(team: string): number {
    return this.held.get(team)?.length ?? 0;
  }
  release(team: string): void {
    for (const res of this.held.get(team) ?? []) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(ANSWER);
    }
    this.held.delete(team);
  }
}

async function crowd(url: string, held: HeldUpstream, framing: Framing, maxTokens: boolean, team: string): Promise<Outcome> {
  const body = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: 'hello there friend' }], ...(maxTokens ? { max_tokens: 6 } : {}) }));
  let refused = 0;
  const pending = Array.from({ length: 100 }, () => send(url, body, framing, team).then((r) => {
    if (r.status !== 200) refused++;
    return r;
  }));
  // every request decided: refused, or admitted and waiting at the upstream
  for (let i = 0; refused + held.count(team) < 100; i++) {
    if (i > 1000) throw new Error(`undecided requests: ${refused} refused, ${held.count(team)} admitted`);
    await sleep(20);
  }
  held.release(team);
  const all = await Promise.all(pending);
  const ok = all.filter((r) => r.status === 200);
  return {
    admitted: ok.length,
    spent: ok.reduce((s, r) => s + (r.json.usage?.total_tokens ?? 0), 0),
    statuses: new Set(all.map((r) => r.status)),
  };
}

describe('token budgets under concurrency, whatever the body framing', () => {
  const held = new HeldUpstream();
  let upstream: TestUpstream;
  let redis: TestRedis;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => held.handle(String(req.headers['x-case']), res));
    redis = await startRedis();
    // a fake clock that stands still: a fixed 60 s window must not roll over mid-case (on the wall
    // clock it could, however long a case takes on a loaded machine)
    gw = await gatewayFrom(yaml(upstream.url, redis.port), { now: fakeClock().now });
  });

  afterAll(async () => {
    await gw?.close();
    await upstream?.close();
    await redis?.stop();
  });

  for (const framing of FRAMINGS) {
    it(`${framing}: 100 simultaneous requests spend at most the budget plus one request (local and redis, with and without max_tokens)`, async () => {
      const run = `${framing}-${Date.now()}`;
      const [localMax, localNone, redisMax, redisNone] = await Promise.all([
        crowd(`${gw.proxyUrl}/local`, held, framing, true, `${run}-a`),
        crowd(`${gw.proxyUrl}/local`, held, framing, false, `${run}-b`),
        crowd(`${gw.proxyUrl}/redis`, held, framing, true, `${run}-c`),
        crowd(`${gw.proxyUrl}/redis`, held, framing, false, `${run}-d`),
      ]);
      for (const o of [localMax, localNone, redisMax, redisNone]) {
        expect([...o.statuses].sort()).toEqual([200, 429]);
        expect(o.spent).toBeLessThanOrEqual(LIMIT + ONE_REQUEST);
        expect(o.spent).toBe(o.admitted * ONE_REQUEST);
      }
      expect(localMax.admitted).toBe(11);
      expect(redisMax.admitted).toBe(11);
      expect(localNone.admitted).toBe(1);
      expect(redisNone.admitted).toBe(1);
    });
  }

  for (const framing of ['content-length', 'chunked-slow'] as const) {
    it(`policies (Kong 3.14), ${framing}: the same bound, local and redis, with and without max_tokens`, async () => {
      const run = `policy-${framing}-${Date.now()}`;
      const [localMax, localNone, redisMax, redisNone] = await Promise.all([
        crowd(`${gw.proxyUrl}/policy-local`, held, framing, true, `${run}-a`),
        crowd(`${gw.proxyUrl}/policy-local`, held, framing, false, `${run}-b`),
        crowd(`${gw.proxyUrl}/policy-redis`, held, framing, true, `${run}-c`),
        crowd(`${gw.proxyUrl}/policy-redis`, held, framing, false, `${run}-d`),
      ]);
      for (const o of [localMax, localNone, redisMax, redisNone]) {
        expect([...o.statuses].sort()).toEqual([200, 429]);
        expect(o.spent).toBeLessThanOrEqual(LIMIT + ONE_REQUEST);
      }
      expect([localMax.admitted, redisMax.admitted, localNone.admitted, redisNone.admitted]).toEqual([11, 11, 1, 1]);
    });
  }
});
