/** TLS options of the Admin API client against an https server with a self-signed certificate. */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as ping } from '../../../src/commands/ping.js';
import { createAdminApi } from '../../../src/gateway/admin-api/api.js';
import { memoryStore } from '../../../src/gateway/admin-api/store.js';

const TLS = join(import.meta.dirname, 'tls');
let server: Server;
let url: string;
let lastClientCert: string | null = null;

beforeAll(async () => {
  const handler = createAdminApi({ store: memoryStore(), mode: 'db', version: 'tls-test', onChange: () => undefined });
  server = createServer(
    {
      key: readFileSync(join(TLS, 'server-key.pem')),
      cert: readFileSync(join(TLS, 'server-cert.pem')),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      lastClientCert = peer && peer.subject ? String(peer.subject.CN) : null;
      void handler(req, res);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const run = (opts: Record<string, unknown>) => ping.run({ args: [], opts: { kongAddr: url, retryBaseMs: 1, ...opts } }, bufferIo({ cwd: TLS }));

describe('Admin API over TLS', () => {
  it('refuses an unknown certificate by default', async () => {
    await expect(run({})).rejects.toMatchObject({ code: 'AIGW_CONNECT' });
  });

  it('trusts it with --ca-cert, or with --tls-skip-verify', async () => {
    expect(await run({ caCert: 'server-cert.pem' })).toBe(0);
    expect(await run({ tlsSkipVerify: true })).toBe(0);
  });

  it('presents a client certificate with --tls-client-cert/--tls-client-key', async () => {
    lastClientCert = null;
    expect(await run({ caCert: 'server-cert.pem', tlsClientCert: 'client-cert.pem', tlsClientKey: 'client-key.pem' })).toBe(0);
    expect(lastClientCert).toBe('aigw-client');
  });
});
