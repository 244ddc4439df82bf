/** Drives a plugin's access phase over a real node:http request, without a Runtime. */
import type { PluginConfigs, PluginName } from '../../../src/config/generated/plugin-configs.js';
import { fillPluginDefaults } from '../../../src/config/defaults.js';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayContext, type Reply, type RouteInfo } from '../../../src/gateway/context.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { compileConsumers } from '../../../src/gateway/consumers.js';
import { ReplyError, type PluginDeps, type PluginInstance, type PluginStore } from '../../../src/gateway/plugin.js';
import { Registry } from 'prom-client';
import { emptyState } from '../../../src/config/state.js';
import { request } from '../../helpers/net.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';

export function deps(overrides: Partial<PluginDeps> = {}): PluginDeps & { logger: ReturnType<typeof memoryLogger> } {
  const values = new Map<string, unknown>();
  const store: PluginStore = {
    get<T>(key: string, create: () => T): T {
      if (!values.has(key)) values.set(key, create());
      return values.get(key) as T;
    },
  };
  const empty = emptyState();
  return {
    logger: memoryLogger(),
    store,
    shared: () => store,
    metrics: new Registry(),
    consumers: compileConsumers(empty),
    env: {},
    llm: createLlmCaller({ env: {} }),
    pluginId: 'p1',
    scope: { route: null, service: null, consumer: null },
    now: Date.now,
    ...overrides,
  } as PluginDeps & { logger: ReturnType<typeof memoryLogger> };
}

export type Outcome = { reply: Reply | null; ctx: GatewayContext };

/** POST `body` through `inst.access`; resolves with the reply (thrown ReplyErrors included) and the context. */
export async function drive(inst: PluginInstance, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, route: RouteInfo | null = null): Promise<Outcome> {
  let out: Outcome | null = null;
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const ctx = new GatewayContext({ requestId: 'r1', req, res, start: process.hrtime.bigint(), clientIp: '127.0.0.1' });
    ctx.route = route;
    void (async () => {
      let reply: Reply | null = null;
      try {
        reply = (await inst.access?.(ctx)) ?? null;
      } catch (err) {
        if (!(err instanceof ReplyError)) throw err;
        reply = err.reply;
      }
      out = { reply, ctx };
      res.end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  try {
    await request(`http://127.0.0.1:${port}/`, { method: 'POST', headers, body });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  if (!out) throw new Error('access did not run');
  return out;
}

/** A plugin config as the runtime hands it over: default-filled from the plugin's schema (not validated, so tests can pass configs the schema would refuse). */
export function config<N extends PluginName>(name: N, partial: Record<string, unknown>): PluginConfigs[N] {
  return fillPluginDefaults(name, partial) as PluginConfigs[N];
}
