// A SQLite-backed aigw Admin API in its own process (as `aigw serve --db` would run it), counting
// requests by method. The parent asks for counts over IPC: { type: 'counts' } → { get, write }.
import { createServer } from 'node:http';
import { createAdminApi } from '../../dist/src/gateway/admin-api/api.js';
import { sqliteStore } from '../../dist/src/gateway/admin-api/sqlite-store.js';

const dbPath = process.argv[2];
const store = sqliteStore(dbPath);
let rebuilds = 0;
const counts = { get: 0, write: 0 };
const handler = createAdminApi({ store, mode: 'db', version: '3.10.0', onChange: () => void rebuilds++ });
const server = createServer((req, res) => {
  if (req.method === 'GET') counts.get++;
  else counts.write++;
  handler(req, res).then((handled) => {
    if (!handled) {
      res.writeHead(404);
      res.end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'counts') {
    handler.flush();
    process.send({ type: 'counts', ...counts, rebuilds });
    counts.get = 0;
    counts.write = 0;
    rebuilds = 0;
  } else if (m.type === 'stop') {
    store.close();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
