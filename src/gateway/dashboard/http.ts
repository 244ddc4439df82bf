/**
 * The dashboard on the status/Admin listener:
 *
 *   GET /dashboard/                 the page (index.html) ─┐ static, shipped in the package
 *   GET /dashboard/<file>           its scripts and styles ─┘ (no token: they hold no data)
 *   GET /dashboard/api/snapshot     recent requests, flow, config        ─┐ the Admin API's rules:
 *   GET /dashboard/api/events       server-sent events (live)             │ `Kong-Admin-Token` when
 *   GET /dashboard/api/requests/ID  one request's detail                  │ --admin-token is set
 *   GET /dashboard/api/totals?window=5m|15m|1h|6h|24h                     │
 *   GET /dashboard/api/limits       what is left of budgets and limits   ─┘
 *
 * Without a token the data is readable by anything that reaches the listener (loopback by
 * default), so then only loopback Host names are accepted: a web page cannot read it through DNS
 * rebinding.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenMatches } from '../admin-api/api.js';
import type { Runtime } from '../runtime.js';
import type { Snapshot } from './api-types.js';
import { loadAssets, type Asset } from './assets.js';
import type { ConfigLog, RequestFeed } from './feed.js';
import { DETAILS_KEPT, REQUESTS_KEPT } from './feed.js';
import { flowView } from './flow.js';
import { MAX_CLIENTS, SseHub } from './sse.js';
import { configView, limitsView } from './views.js';

export const DASHBOARD_PATH = '/dashboard/';

export interface DashboardOptions {
  feed: RequestFeed;
  config: ConfigLog;
  runtime(): Runtime;
  token?: string;
  mode: string;
  describe: string;
  configHash(): string;
  proxyUrl(): string;
  version: string;
  /** `dist/dashboard` (assets.ts assetsDir()). */
  assetsDir: string | null;
  now?: () => number;
}

export type DashboardHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) & {
  close(): void;
  /** Connected event streams. */
  readonly clients: number;
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

function sendAsset(res: ServerResponse, a: Asset): void {
  res.writeHead(200, {
    'content-type': a.type,
    'content-length': a.body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  });
  res.end(a.body);
}

export function dashboardHandler(opts: DashboardOptions): DashboardHandler {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  let assets: Map<string, Asset> | null = null;
  const snapshot = (): Snapshot => {
    const rt = opts.runtime();
    return {
      version: opts.version,
      startedAt,
      proxyUrl: opts.proxyUrl(),
      sizes: { requests: REQUESTS_KEPT, details: DETAILS_KEPT },
      // every summary the gateway keeps (RECENT_KEPT); the page keeps up to REQUESTS_KEPT as more arrive
      requests: opts.feed.requests.toArray(),
      flow: flowView(rt, opts.feed.flow),
      config: configView(rt, opts.config, opts.mode, opts.describe, opts.configHash()),
    };
  };
  const hub = new SseHub({
    subscribe: (push) => opts.feed.subscribe(push),
    counts: () => flowView(opts.runtime(), opts.feed.flow).counts,
  });
  const unsubscribeConfig = opts.config.subscribe(() => {
    if (hub.size === 0) return;
    const rt = opts.runtime();
    hub.broadcast('config', { flow: flowView(rt, opts.feed.flow), config: configView(rt, opts.config, opts.mode, opts.describe, opts.configHash()) });
  });

  const api = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    if (opts.token !== undefined && !tokenMatches(opts.token, req.headers['kong-admin-token'])) {
      return send(res, 401, { message: 'Invalid credentials. Token or User credentials required' });
    }
    if (opts.token === undefined && !LOOPBACK_HOST.test(req.headers.host ?? '')) {
      return send(res, 403, { message: 'without --admin-token the dashboard answers loopback host names only (localhost, 127.0.0.1, [::1])' });
    }
    if (path === 'snapshot') return send(res, 200, snapshot());
    if (path === 'events') {
      if (!hub.open(res, snapshot())) send(res, 503, { message: `too many dashboards connected (at most ${MAX_CLIENTS})` });
      return;
    }
    if (path === 'totals') return send(res, 200, opts.feed.totals.view(query.get('window') ?? '15m', now()));
    if (path === 'limits') return send(res, 200, await limitsView(opts.runtime(), now()));
    if (path.startsWith('requests/')) {
      const d = opts.feed.detail(decodeURIComponent(path.slice('requests/'.length)));
      return d ? send(res, 200, d) : send(res, 404, { message: 'request not kept: details are captured only while a dashboard is connected, for the last 200 requests' });
    }
    send(res, 404, { message: 'Not found' });
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    if (path !== '/dashboard' && !path.startsWith(DASHBOARD_PATH)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { message: 'Method not allowed' });
      return true;
    }
    if (path === '/dashboard') {
      res.writeHead(302, { location: DASHBOARD_PATH });
      res.end();
      return true;
    }
    const rest = path.slice(DASHBOARD_PATH.length);
    if (rest.startsWith('api/')) {
      await api(req, res, rest.slice(4), url.searchParams);
      return true;
    }
    assets ??= loadAssets(opts.assetsDir);
    const a = assets.get(rest === '' ? 'index.html' : rest);
    if (a) sendAsset(res, a);
    else if (assets.size === 0) send(res, 503, { message: 'the dashboard is not built: run `npm run build`' });
    else send(res, 404, { message: 'Not found' });
    return true;
  };
  return Object.assign(handler, {
    close: () => {
      unsubscribeConfig();
      hub.close();
    },
    get clients() {
      return hub.size;
    },
  });
}
