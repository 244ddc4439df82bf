import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import * as undici from 'undici';
import { Agent, Pool } from '../../../src/gateway/llm/call/undici-core.js';

describe('undici-core: undici\'s Agent and Pool without its index', () => {
  it('are the classes undici\'s index exports, with its request API', () => {
    expect(Agent).toBe(undici.Agent);
    expect(Pool).toBe(undici.Pool);
    for (const m of ['request', 'stream', 'pipeline', 'connect', 'upgrade']) expect(typeof (Agent.prototype as unknown as Record<string, unknown>)[m], m).toBe('function');
  });

  it('an Agent made here requests and reads an answer', async () => {
    const server = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const agent = new Agent();
    try {
      const res = await agent.request({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, path: '/', method: 'GET' });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('hello');
    } finally {
      await agent.close();
      server.close();
    }
  });
});
