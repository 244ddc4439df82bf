// Mock upstream for the proxy benchmark: a tiny JSON reply on 127.0.0.1, port printed on stdout.
import http from 'node:http';

const body = JSON.stringify({ ok: true, message: 'hello from the mock upstream' });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
