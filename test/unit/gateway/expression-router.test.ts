import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { summaryLines } from '../../../src/gateway/summary.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { stateFrom } from '../../helpers/gateway.js';
import type { Entity } from '../../../src/config/state.js';
import { Routing } from '../../../src/gateway/routing.js';
import type { RouterRequest } from '../../../src/gateway/route-match.js';
import { conditioned, compileCondition } from '../../../src/gateway/plugin-condition.js';
import type { GatewayContext } from '../../../src/gateway/context.js';

const route = (id: string, fields: Record<string, unknown>): Entity => ({ id, name: `r${id.slice(-2)}`, protocols: ['http', 'https'], strip_path: true, ...fields }) as Entity;
const id = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;

const req = (path: string, over: Partial<RouterRequest> = {}): RouterRequest => ({ method: 'GET', host: 'example.test', path, headers: {}, query: '', ...over });

describe('expression routes in the router', () => {
  it('evaluates higher priorities first; equal priorities by descending id, as atc-router walks its matchers', () => {
    const r = new Routing([
      route(id(1), { expression: 'http.path ^= "/a"', priority: 1 }),
      route(id(2), { expression: 'http.path ^= "/a/b"', priority: 5 }),
      route(id(3), { expression: 'http.path ^= "/a"', priority: 5 }),
    ]);
    expect(r.routes.map((x) => x.id)).toEqual([id(3), id(2), id(1)]);
    expect(r.match(req('/a/b/c'))?.route.id).toBe(id(3));
    expect(r.match(req('/a/x'))?.route.id).toBe(id(3));
  });

  it('tries every expression route before the traditional ones, whatever their priority', () => {
    const r = new Routing([
      route(id(1), { paths: ['/a'], hosts: ['example.test'], methods: ['GET'] }),
      route(id(2), { expression: 'http.path ^= "/a"', priority: 0 }),
    ]);
    expect(r.match(req('/a'))?.route.id).toBe(id(2));
    expect(r.match(req('/b'))).toBeNull();
  });

  it('strips what the http.path predicate matched, and nothing when it did not match a value', () => {
    const r = new Routing([
      route(id(1), { expression: 'lower(http.path) == "/exact"', priority: 3 }),
      route(id(2), { expression: 'http.path ~ r#"^/re/\\d+"#', priority: 2 }),
      route(id(3), { expression: 'http.path contains "keep"', priority: 1 }),
    ]);
    expect(r.match(req('/EXACT'))).toMatchObject({ strippedPath: '', matchedPrefix: '/exact', captures: {} });
    expect(r.match(req('/re/12/x'))).toMatchObject({ strippedPath: '/x', matchedPrefix: '/re/12', captures: {} });
    expect(r.match(req('/x/keep'))).toMatchObject({ strippedPath: '/x/keep', matchedPrefix: null });
  });

  it('adds the route protocols as Kong does, except for an https-only route (left to the redirect)', () => {
    const r = new Routing([
      route(id(1), { expression: 'http.path == "/s"', protocols: ['https'] }),
      route(id(2), { expression: 'http.path == "/g"', protocols: ['grpcs'] }),
    ]);
    expect(r.match(req('/s'))?.route.id).toBe(id(1));
    expect(r.match(req('/g'))).toBeNull();
  });

  it('refuses an expression that does not check, naming the route and Kong\'s message', () => {
    expect(() => new Routing([route(id(1), { expression: 'http.nope == "x"' })])).toThrow("route 'r01': Router Expression failed validation: Unknown LHS field");
  });
});

describe('plugin conditions', () => {
  const ctx = (path: string, headers: Record<string, string> = {}, distinct: Record<string, string[]> = {}): GatewayContext => ({
    method: 'GET', host: 'h', path, upstreamQuery: '', upstreamHeaders: { ...headers }, clientIp: '127.0.0.1',
    req: { socket: { remotePort: 1, localAddress: '127.0.0.1', localPort: 8000 }, headers, headersDistinct: { host: ['h'], ...distinct } },
    consumer: null, route: { id: 'r', name: 'api' }, service: null,
  }) as unknown as GatewayContext;

  it('see each value of a header sent twice, and the Host header', () => {
    const twice = () => ctx('/x', { 'x-on': '1, 2' }, { 'x-on': ['1', '2'] });
    const holds = (cond: string): boolean => {
      let ran = false;
      void conditioned({ access: () => void (ran = true) }, compileCondition(cond)).access?.(twice());
      return ran;
    };
    expect(holds('http.headers.x_on == "1"')).toBe(false);
    expect(holds('any(http.headers.x_on) == "2"')).toBe(true);
    expect(holds('http.headers.host == "h" && http.host == "h"')).toBe(true);
  });

  it('skip every phase of the plugin for the requests where the condition is false, deciding once per request', () => {
    const calls: string[] = [];
    const inner = {
      start: () => void calls.push('start'),
      access: () => void calls.push('access'),
      header: () => void calls.push('header'),
      log: () => void calls.push('log'),
    };
    const p = conditioned(inner, compileCondition('http.headers.x_on == "1" && route.name == "api"'));
    const on = ctx('/x', { 'x-on': '1' });
    const off = ctx('/x');
    for (const c of [on, off]) {
      p.start?.(c);
      void p.access?.(c);
      p.header?.(c, undefined as never);
      void p.log?.(c, undefined as never);
    }
    expect(calls).toEqual(['start', 'access', 'header', 'log', 'start']);
    expect(p.response).toBeUndefined();
    expect(p.chunk).toBeUndefined();
  });
});

describe('the startup summary', () => {
  it('shows an expression route with its expression and priority, in matching order', async () => {
    const state = await stateFrom(`_format_version: "3.0"
routes:
  - { name: plain, paths: [/p] }
  - { name: expr, expression: 'http.path ^= "/e"', priority: 7 }
`);
    const rt = buildRuntime(state, { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) });
    const lines = summaryLines(rt, 'http://p', null).filter((l) => l.startsWith('  '));
    expect(lines.map((l) => l.split('  → ')[0])).toEqual(['  expr  expression=http.path ^= "/e" priority=7', '  plain  paths=/p']);
  });
});
