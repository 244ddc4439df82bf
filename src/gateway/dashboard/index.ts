/**
 * The live dashboard of `aigw serve` (Flow, Live traffic, Totals, Config), served on the
 * status/Admin listener under /dashboard/. `serve` creates one, hands `feed.record` to the gateway
 * as its `onRequest`, routes the listener's requests through `handler` before the Admin API, and
 * reports every reload with `reloaded`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Issue } from '../../config/issues.js';
import { formatIssue } from '../../config/issues.js';
import type { Runtime } from '../runtime.js';
import type { ReloadResult } from './api-types.js';
import { assetsDir } from './assets.js';
import { ConfigLog, RequestFeed } from './feed.js';
import { dashboardHandler, DASHBOARD_PATH, type DashboardHandler } from './http.js';

export { DASHBOARD_PATH };

export interface DashboardSetup {
  token?: string;
  mode: string;
  describe: string;
  configHash(): string;
  version: string;
}

export interface Dashboard {
  readonly feed: RequestFeed;
  readonly config: ConfigLog;
  /** Serves /dashboard/…; false for other paths. Answers 503 until `attach`. */
  handler(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The gateway to show, once it listens. */
  attach(gw: { runtime(): Runtime; proxyUrl: string }): void;
  /** Report a configuration (re)load: its issues as `aigw validate` prints them, or why it failed. */
  reloaded(source: ReloadResult['source'], issues: readonly Issue[], error: string | null): void;
  close(): void;
}

export function createDashboard(setup: DashboardSetup): Dashboard {
  const feed = new RequestFeed();
  const config = new ConfigLog();
  let gw: { runtime(): Runtime; proxyUrl: string } | null = null;
  let http: DashboardHandler | null = null;
  return {
    feed,
    config,
    async handler(req, res) {
      if (http) return http(req, res);
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/dashboard' && !path.startsWith(DASHBOARD_PATH)) return false;
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: 'the gateway is starting' }));
      return true;
    },
    attach(g) {
      gw = g;
      http = dashboardHandler({
        feed, config, ...setup,
        runtime: () => (gw as NonNullable<typeof gw>).runtime(),
        proxyUrl: () => (gw as NonNullable<typeof gw>).proxyUrl,
        assetsDir: assetsDir(),
      });
    },
    reloaded(source, issues, error) {
      const ok = error === null && !issues.some((i) => i.severity === 'error');
      config.publish({ at: Date.now(), source, ok, issues: issues.map((i) => formatIssue(i)), error });
    },
    close() {
      http?.close();
    },
  };
}
