// Issue 10, round 2: the parts of a reload that ran as one long main-thread task are split into
// bounded steps (the router build, the consumer indexes, the check_hash hash), and give what the
// all-at-once versions give. Steps are counted (through sliceChannel with a 0 ms slice budget, or
// by driving the generator), never timed.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { buildRuntime, buildRuntimeInSlices } from '../../../src/gateway/runtime.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { Router, ROUTES_PER_STEP } from '../../../src/gateway/router.js';
import { Routing } from '../../../src/gateway/routing.js';
import { CONSUMER_ENTITIES_PER_STEP } from '../../../src/gateway/consumers.js';
import { configHash, HASHED_PER_STEP, stateHash } from '../../../src/gateway/admin-api/node.js';
import { memoryStore } from '../../../src/gateway/admin-api/store.js';
import { sliceChannel, type SliceReport, type Steps } from '../../../src/gateway/time-slices.js';
import type { Entity, State } from '../../../src/config/state.js';
import { stateFrom } from '../../helpers/gateway.js';

const deps = () => ({ logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) });

/** Drive `steps` to its end; its value and how many steps it took. */
function drive<T>(steps: Steps<T>): { value: T; steps: number } {
  let n = 1;
  let r = steps.next();
  while (!r.done) {
    n++;
    r = steps.next();
  }
  return { value: r.value, steps: n };
}

/** The slices of a runtime build with a 0 ms budget: one step each. */
async function slicesOf(state: State): Promise<number> {
  let slices = 0;
  const listen = (m: unknown): void => {
    if ((m as SliceReport).steps > 0) slices++;
  };
  sliceChannel.subscribe(listen);
  try {
    await buildRuntimeInSlices(state, deps(), 0);
  } finally {
    sliceChannel.unsubscribe(listen);
  }
  return slices;
}

const id = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const route = (i: number, fields: Record<string, unknown>): Entity => ({
  id: id(i),
  name: `r${i}`,
  protocols: ['http', 'https'],
  strip_path: true,
  created_at: 1000 - i,
  service: { id: 'svc' },
  ...fields,
});

const ROUTES = 400;
const routesYaml = `_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:9
  routes:
${Array.from({ length: ROUTES }, (_, i) => `  - name: r${i}\n    paths: [${i % 3 === 0 ? `"~/re/${i}/(\\\\d+)$"` : `/p/${i}`}]\n    hosts: [h${i % 7}.test]\n`).join('')}`;

describe('the router build in steps', () => {
  const entities = Array.from({ length: 200 }, (_, i) =>
    route(i, i % 4 === 0 ? { paths: [`~/v${i}/(?<n>\\d+)$`], regex_priority: i % 5 } : i % 4 === 1 ? { hosts: [`*.h${i}.test`], paths: [`/h/${i}`] } : i % 4 === 2 ? { headers: { 'x-v': [`${i}`] }, methods: ['GET'] } : { paths: [`/p/${i}`, `/p/${i}/x`] }),
  );

  it('compiles and indexes at most ROUTES_PER_STEP routes a step, and gives the router built at once', () => {
    const { value, steps } = drive(Router.build(entities));
    expect(steps).toBeGreaterThanOrEqual(2 * Math.ceil(entities.length / ROUTES_PER_STEP));
    const once = new Router(entities);
    expect(value.routes.map((r) => r.id)).toEqual(once.routes.map((r) => r.id));
    const reqs = entities.flatMap((_, i) => [
      { method: 'GET', host: `a.h${i}.test`, path: `/h/${i}`, headers: {} },
      { method: 'GET', host: 'x.test', path: `/v${i}/42`, headers: {} },
      { method: 'GET', host: 'x.test', path: `/p/${i}/x/y`, headers: { 'x-v': `${i}` } },
    ]);
    for (const req of reqs) expect(value.match(req)?.route.id ?? null).toBe(once.match(req)?.route.id ?? null);
  });

  it('Routing.build gives what new Routing gives, expression routes first', () => {
    const mixed = [...entities.slice(0, 40), route(900, { expression: 'http.path == "/e"', priority: 3 }), route(901, { expression: 'http.path ^= "/p/"', priority: 1 })];
    const { value } = drive(Routing.build(mixed));
    const once = new Routing(mixed);
    expect(value.routes.map((r) => r.id)).toEqual(once.routes.map((r) => r.id));
    for (const path of ['/e', '/p/3', '/p/3/x', '/v0/1', '/none']) {
      const req = { method: 'GET', host: 'x.test', path, headers: {} };
      expect(value.match(req)?.route.id ?? null).toBe(once.match(req)?.route.id ?? null);
    }
  });

  it('a runtime build runs the router in steps, not one (a step per route for the chains, and the router steps)', async () => {
    const state = await stateFrom(routesYaml);
    expect(state.entities.routes.length).toBe(ROUTES);
    expect(await slicesOf(state)).toBeGreaterThanOrEqual(ROUTES + 2 * Math.floor(ROUTES / ROUTES_PER_STEP));
    // and the same router as the build at once
    const once = buildRuntime(state, deps());
    const sliced = await buildRuntimeInSlices(state, deps(), 0);
    expect(sliced.router.routes.map((r) => r.id)).toEqual(once.router.routes.map((r) => r.id));
  });
});

describe('the consumer indexes in steps', () => {
  it('a runtime build indexes consumers and credentials CONSUMER_ENTITIES_PER_STEP a step', async () => {
    const n = 640;
    const state = await stateFrom(`_format_version: "3.0"\nconsumers:\n${Array.from({ length: n }, (_, i) => `- username: u${i}\n  keyauth_credentials:\n  - key: k${i}\n`).join('')}`);
    expect(await slicesOf(state)).toBeGreaterThanOrEqual(Math.floor((2 * n) / CONSUMER_ENTITIES_PER_STEP));
    const sliced = await buildRuntimeInSlices(state, deps(), 0);
    const once = buildRuntime(state, deps());
    expect([...sliced.consumers.keyAuth]).toEqual([...once.consumers.keyAuth]);
    expect(sliced.consumers.find('u7')?.id).toBe(once.consumers.find('u7')?.id);
  });
});

describe('the check_hash hash in steps', () => {
  it('hashes HASHED_PER_STEP entities a step, as configHash of a store holding the state (unsorted and repeated ids too)', async () => {
    const state = await stateFrom(routesYaml);
    const { value, steps } = drive(stateHash(state));
    expect(steps).toBeGreaterThanOrEqual(Math.floor((ROUTES + 1) / HASHED_PER_STEP));
    expect(value).toBe(configHash(memoryStore(state)));
    const routes = [...state.entities.routes].reverse();
    const shuffled = { ...state, entities: { ...state.entities, routes: [...routes, { ...routes[5], name: 'again' }] } } as State;
    const changed = configHash(memoryStore(shuffled));
    expect(changed).not.toBe(value);
    expect(drive(stateHash(shuffled)).value).toBe(changed);
  });
});
