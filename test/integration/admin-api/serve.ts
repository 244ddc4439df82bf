import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminApi, type AdminApiOptions, type AdminHandler } from '../../../src/gateway/admin-api/api.js';
import { memoryStore, type Store } from '../../../src/gateway/admin-api/store.js';
import type { State } from '../../../src/config/state.js';

export interface Running {
  url: string;
  store: Store;
  handler: AdminHandler;
  states: State[];
  requests: Array<{ method: string; path: string }>;
  server: Server;
  close(): Promise<void>;
}

/** A bare node:http server on 127.0.0.1:0 serving only the Admin API. */
export async function startAdmin(opts: Partial<AdminApiOptions> & { intercept?: (req: IncomingMessage, res: ServerResponse) => boolean; port?: number } = {}): Promise<Running> {
  const store = opts.store ?? memoryStore();
  const states: State[] = [];
  const requests: Array<{ method: string; path: string }> = [];
  const handler = createAdminApi({ store, mode: opts.mode ?? 'db', version: '3.10.0', onChange: (s) => { states.push(s); }, debounceMs: 5, ...opts });
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/' });
    if (opts.intercept?.(req, res)) return;
    handler(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"message":"Not found"}');
      }
    }, () => res.destroy());
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    handler,
    states,
    requests,
    server,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
