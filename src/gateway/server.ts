/**
 * The gateway process: a proxy listener running the current Runtime, and a status/admin listener
 * (`/metrics`, `/status`, then the Admin API handler). `reload` swaps the Runtime reference
 * atomically; requests in flight finish on the Runtime they started with.
 */
import { createHash, randomBytes } from 'node:crypto';
import { NODE_ID } from './node-id.js';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Registry } from 'prom-client';
import type { State } from '../config/state.js';
import { AigwError } from '../errors.js';
import { parseListen } from '../listen-address.js';
import { createLlmCaller } from './llm/call/caller.js';
import { formatAccess, type Logger } from './log.js';
import { prepareEarlyReply } from './early-reply.js';
import { earlyRefusal } from './request-target.js';
import { newStats, registerNodeMetrics, type ServerStats } from './node-metrics.js';
import { handleRequest, type PipelineEnv } from './pipeline.js';
import type { Plugin } from './plugin.js';
import { buildRuntime, buildRuntimeInSlices, loadPluginsOf, type Runtime } from './runtime.js';
import type { BrokenEntity } from './broken-entities.js';
import { unbuildable, type Changed } from './build-check.js';
import { LOADED_PLUGINS, loadPlugins, pluginWithAdminPath } from './plugins/index.js';
import { canonicalJson, PluginStores, sharedStoreKey } from './stores.js';
import { createAgents, destroyAgents } from './upstream.js';
import { createUpgrader } from './upgrade.js';
import { warmUp } from './warm-up.js';
import type { GatewayContext } from './context.js';

export interface GatewayOptions {
  state: State;
  /** `host:port` (`[::1]:8000` for IPv6); port 0 picks a free port. */
  listen: string;
  adminListen: string | null;
  logger: Logger;
  accessLog: 'json' | 'pretty' | 'off';
  /** Where access-log lines go (default: logger.info). */
  accessWrite?: (line: string) => void;
  /** Admin API; returns true when it handled the request. */
  adminHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  env?: Readonly<Record<string, string | undefined>>;
  /** Extra/override plugins (tests). */
  plugins?: ReadonlyMap<string, Plugin<never>>;
  /** `configuration_hash` of `/status` (the Admin API's, so it matches `/config?check_hash`). */
  configHash?: () => string;
  /** Run requests through the pipeline against an in-process stub before listening (warm-up.ts); serve does unless --no-warm-up. */
  warmUp?: boolean;
  /** Called once everything is built (and warmed up), right before the proxy listens; serve compacts the heap there (startup-heap.ts). */
  beforeListen?: () => void;
  /** Delay before unused plugin stores are disposed after a reload (ms). */
  storeGraceMs?: number;
  /** Every finished request, after its log phases (the dashboard's feed); must not keep `ctx`. */
  onRequest?: (ctx: GatewayContext) => void;
  /** Database mode: entities that do not build are left out, fail closed, and reported (broken-entities.ts). */
  tolerant?: boolean;
  /** Wall clock in ms the plugins see (key expiry, rate-limit windows, cache TTLs); tests pass a fake one. Default Date.now. */
  now?: () => number;
}

export interface Gateway {
  proxyUrl: string;
  adminUrl: string | null;
  /** Compile and swap in a new State. Throws (and keeps serving the old one) when it fails to compile. */
  reload(state: State): Promise<void>;
  /** The entities of `changed` that would not build in `candidate` (the Admin API's check before a write). */
  unbuildable(candidate: State, changed: readonly Changed[]): BrokenEntity[];
  close(drainMs?: number): Promise<void>;
  runtime(): Runtime;
  /** The Admin API endpoints of the plugins (Kong's plugin `api.lua`); undefined for other paths. */
  pluginApi(method: string, segments: readonly string[]): Promise<{ status: number; body?: unknown } | undefined>;
  readonly metrics: Registry;
  readonly stats: ServerStats;
}

function listen(server: http.Server, addr: string): Promise<string> {
  const { host, port } = parseListen(addr);
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new AigwError('AIGW_SERVE', `cannot listen on ${addr}: ${err.message}`, { cause: err })));
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });
}

/** 32 hex chars per id, from a pooled random buffer. */
function requestIds(): () => string {
  let pool = randomBytes(4096);
  let offset = 0;
  return () => {
    if (offset + 16 > pool.length) {
      pool = randomBytes(4096);
      offset = 0;
    }
    offset += 16;
    return pool.toString('hex', offset - 16, offset);
  };
}

function statusBody(stats: ServerStats, configHash: string, broken: readonly BrokenEntity[]): unknown {
  return {
    memory: {
      workers_lua_vms: [{ http_allocated_gc: `${(process.memoryUsage().heapUsed / 1048576).toFixed(2)} MiB`, pid: process.pid }],
      lua_shared_dicts: {},
    },
    server: {
      connections_accepted: stats.accepted,
      connections_active: stats.active,
      connections_handled: stats.handled,
      connections_reading: 0,
      connections_writing: stats.inFlight,
      connections_waiting: Math.max(0, stats.active - stats.inFlight),
      total_requests: stats.totalRequests,
    },
    configuration_hash: configHash,
    // aigw: the entities of the configuration that do not build (database mode; see broken-entities.ts)
    configuration_errors: broken.map((b) => ({ entity: b.kind, id: b.id, name: b.name, message: b.message })),
  };
}

const hashState = (s: State): string => createHash('md5').update(canonicalJson(s.entities)).digest('hex');

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  prepareEarlyReply(res.req, res);
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function accessCallback(opts: GatewayOptions): ((ctx: GatewayContext) => void) | null {
  if (opts.accessLog === 'off') return null;
  const format = opts.accessLog;
  const write = opts.accessWrite ?? ((line: string) => opts.logger.info(line));
  return (ctx) => {
    const t = ctx.timings;
    const end = t.end ?? process.hrtime.bigint();
    const upstream = t.upstreamStart !== null && t.upstreamHeaders !== null ? Math.round(Number(t.upstreamHeaders - t.upstreamStart) / 1e6) : null;
    const total = Math.round(Number(end - t.start) / 1e6);
    write(formatAccess({
      request_id: ctx.requestId,
      method: ctx.method,
      path: ctx.path,
      route: ctx.route ? ctx.route.name ?? ctx.route.id : null,
      consumer: ctx.consumer ? ctx.consumer.username ?? ctx.consumer.custom_id ?? ctx.consumer.id : null,
      status: ctx.res.statusCode,
      upstream_status: ctx.upstreamStatus,
      latency_ms: total,
      upstream_latency_ms: upstream,
      kong_latency_ms: Math.max(0, total - (upstream ?? 0)),
    }, format));
  };
}

/** The one callback the pipeline calls per finished request: the access log, then the request feed. */
function onDone(a: ((ctx: GatewayContext) => void) | null, b: ((ctx: GatewayContext) => void) | null): ((ctx: GatewayContext) => void) | null {
  if (a === null || b === null) return a ?? b;
  return (ctx) => {
    a(ctx);
    b(ctx);
  };
}

function proxyServer(stats: ServerStats, current: () => Runtime, env: PipelineEnv, logger: Logger): http.Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    stats.totalRequests++;
    stats.inFlight++;
    // the pipeline's one `close` listener calls env.requestClosed (inFlight--)
    handleRequest(current(), env, req, res).catch((err: unknown) => {
      logger.error('request failed', { error: String(err) });
      if (!res.headersSent) sendJson(res, 500, { message: 'An unexpected error occurred' });
      else res.destroy();
    });
  };
  const proxy = http.createServer({ keepAliveTimeout: 60_000 }, handler);
  // `Expect: 100-continue` is answered when the body is read (early-reply.ts), not by node up front
  proxy.on('checkContinue', handler);
  proxy.on('connection', (socket) => {
    stats.accepted++;
    stats.handled++;
    stats.active++;
    socket.once('close', () => stats.active--);
  });
  return proxy;
}

function statusServer(opts: GatewayOptions, metrics: Registry, stats: ServerStats, configHash: () => string, broken: () => readonly BrokenEntity[]): http.Server {
  return http.createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      const refused = earlyRefusal(req);
      if (refused !== null) {
        sendJson(res, refused.status, { message: refused.message });
      } else if (req.method === 'GET' && path === '/metrics') {
        const text = await metrics.metrics();
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
      } else if (req.method === 'GET' && path === '/status') {
        sendJson(res, 200, statusBody(stats, configHash(), broken()));
      } else if (!(opts.adminHandler && (await opts.adminHandler(req, res)))) {
        sendJson(res, 404, { message: 'Not found' });
      }
    } catch (err) {
      opts.logger.error('admin request failed', { error: String(err) });
      if (!res.headersSent) sendJson(res, 500, { message: 'An unexpected error occurred' });
    }
  });
}

/** Stop accepting, wait for in-flight requests up to `drainMs`, then cut what is left. */
async function drainAndClose(proxy: http.Server, admin: http.Server | null, stats: ServerStats, drainMs: number): Promise<void> {
  const servers = [proxy, admin].filter((s): s is http.Server => s !== null);
  const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  proxy.closeIdleConnections();
  admin?.closeAllConnections();
  const deadline = Date.now() + drainMs;
  while (stats.inFlight > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    proxy.closeIdleConnections();
  }
  proxy.closeAllConnections();
  await closed;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const metrics = new Registry();
  const stats = newStats();
  const stores = new PluginStores();
  const env = opts.env ?? {};
  const llm = createLlmCaller({ env });
  const deps = { logger: opts.logger, stores, metrics, env, llm, plugins: opts.plugins, tolerant: opts.tolerant, ...(opts.now ? { now: opts.now } : {}) };
  await loadPluginsOf(opts.state);
  let current = buildRuntime(opts.state, deps);
  // computed when /status first asks for it (serve passes its own configHash)
  let configHash: string | null = null;
  registerNodeMetrics(metrics, stats, NODE_ID);
  const agents = createAgents();
  const requestClosed = (): void => {
    stats.inFlight--;
  };
  const pipelineEnv: PipelineEnv = { agents, listenPort: 0, logger: opts.logger, onDone: onDone(accessCallback(opts), opts.onRequest ?? null), requestId: requestIds(), requestClosed };
  const proxy = proxyServer(stats, () => current, pipelineEnv, opts.logger);
  const upgrader = createUpgrader();
  proxy.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => void upgrader.handle(current, pipelineEnv, req, socket, head));
  const admin = opts.adminListen === null ? null : statusServer(opts, metrics, stats, opts.configHash ?? (() => (configHash ??= hashState(current.state))), () => current.broken);
  if (opts.warmUp) {
    // the proxy's own handler and access-log callback, with stats and a log sink of their own
    const ai = opts.state.entities.plugins.some((p) => p.name === 'ai-proxy');
    const w = await warmUp(opts.logger, { ai, serverFor: (rt, env) => proxyServer(newStats(), () => rt, env, env.logger), onDone: accessCallback({ ...opts, accessWrite: () => undefined }) });
    opts.logger.info(`warmed up: ${w.ok}/${w.requests} requests answered in ${Math.round(w.ms)} ms`);
  }
  opts.beforeListen?.();
  const proxyUrl = await listen(proxy, opts.listen);
  pipelineEnv.listenPort = (proxy.address() as AddressInfo).port;
  let adminUrl: string | null = null;
  if (admin && opts.adminListen !== null) {
    try {
      adminUrl = await listen(admin, opts.adminListen);
    } catch (err) {
      proxy.close();
      throw err;
    }
  }
  let storeTimer: NodeJS.Timeout | null = null;
  let reloads: Promise<void> = Promise.resolve();
  return {
    proxyUrl,
    adminUrl,
    metrics,
    stats,
    runtime: () => current,
    unbuildable: (candidate, changed) => unbuildable(candidate, changed, deps, current.state),
    async pluginApi(method, segments) {
      const named = pluginWithAdminPath(segments[0] ?? '');
      if (opts.plugins === undefined && named !== undefined) await loadPlugins([named]);
      const plugin = [...(opts.plugins ?? LOADED_PLUGINS).values()].find((p) => p.admin !== undefined && p.admin.path === segments[0]);
      if (!plugin?.admin) return undefined;
      const plugins = current.state.entities.plugins
        .filter((e) => e.name === plugin.name && e.enabled !== false)
        .map((e) => ({ id: e.id, config: (e.config ?? {}) as Record<string, unknown> }));
      return plugin.admin.handle(method, segments.slice(1), { plugins, shared: (key) => stores.store(sharedStoreKey(plugin.name, key)), now: opts.now ?? Date.now });
    },
    reload(state) {
      // built in slices between requests, one reload after the other, taking over what the current
      // runtime built from unchanged entities; the swap is one assignment
      const run = reloads.then(async () => {
        current = await buildRuntimeInSlices(state, deps, undefined, current);
        configHash = null;
        if (storeTimer) clearTimeout(storeTimer);
        storeTimer = setTimeout(() => void stores.retain(current.storeKeys), opts.storeGraceMs ?? 5000);
        storeTimer.unref();
      });
      reloads = run.catch(() => undefined);
      return run;
    },
    async close(drainMs = 10_000) {
      if (storeTimer) clearTimeout(storeTimer);
      upgrader.close();
      await drainAndClose(proxy, admin, stats, drainMs);
      destroyAgents(agents);
      await stores.disposeAll();
      await llm.close();
    },
  };
}
