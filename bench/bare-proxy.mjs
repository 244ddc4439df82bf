// The baseline for gateway overhead: a bare node:http proxy forwarding every request to one
// upstream through an undici Pool. With --json (the AI baseline) it parses the JSON body, sets the
// model and max_tokens as the ai-proxy route does, re-serialises it and adds the upstream key.
//   node bench/bare-proxy.mjs <upstream-url> [--json model max_tokens authorization]  → prints its URL
import http from 'node:http';
import { Pool } from 'undici';

const [target, json, model, maxTokens, authorization] = process.argv.slice(2);
const up = new URL(target);
const pool = new Pool(up.origin, { connections: 256, pipelining: 1 });

const server = http.createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    let body = chunks.length ? Buffer.concat(chunks) : undefined;
    const headers = { 'content-type': req.headers['content-type'] ?? 'application/json' };
    if (json === '--json') {
      const msg = JSON.parse(body.toString('utf8'));
      body = JSON.stringify({ ...msg, model, max_tokens: Number(maxTokens) });
      headers.authorization = authorization;
    }
    const r = await pool.request({ path: up.pathname, method: req.method, headers, body });
    res.writeHead(r.statusCode, { 'content-type': r.headers['content-type'] ?? 'application/json' });
    for await (const c of r.body) res.write(c);
    res.end();
  } catch (err) {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(String(err));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`bare proxy listening on http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => pool.close().then(() => process.exit(0))));
