/**
 * A service's tls_sans: the upstream certificate passes when it carries one of the listed DNS
 * names or URIs, though it does not match the host. Real TLS handshakes on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sansIdentityCheck, tlsSansOf, type TlsSans } from '../../../src/gateway/upstream-sans.js';

let dir: string;
let cert: Buffer;
let server: tls.Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-sans-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-days', '1', '-subj', '/CN=other.test', '-addext', 'subjectAltName=DNS:upstream.example.test,URI:spiffe://example.test/up',
  ], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'));
  server = tls.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (s) => s.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** Handshake as the gateway does for `servername`, with the SAN check; the error code or 'ok'. */
function handshake(sans: TlsSans | null, servername = 'api.internal'): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1', port, ca: cert, servername, rejectUnauthorized: true,
      ...(sans ? { checkServerIdentity: sansIdentityCheck(sans) } : {}),
    }, () => {
      socket.end();
      resolve('ok');
    });
    socket.on('error', (err: Error & { code?: string }) => resolve(err.code ?? err.message));
  });
}

describe('tls_sans', () => {
  it("without tls_sans a certificate for another name fails Node's hostname check", async () => {
    expect(await handshake(null)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('accepts a certificate carrying a listed DNS name or URI, refuses one that carries none', async () => {
    expect(await handshake({ dnsnames: ['upstream.example.test'], uris: [] })).toBe('ok');
    expect(await handshake({ dnsnames: [], uris: ['spiffe://example.test/up'] })).toBe('ok');
    expect(await handshake({ dnsnames: ['nope.example.test'], uris: ['spiffe://example.test/other'] })).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('reads the lists of a service; empty lists are no tls_sans', () => {
    expect(tlsSansOf({ tls_sans: { dnsnames: ['a.test'], uris: null } })).toEqual({ dnsnames: ['a.test'], uris: [] });
    expect(tlsSansOf({ tls_sans: { dnsnames: [], uris: [] } })).toBeNull();
    expect(tlsSansOf({ tls_sans: null })).toBeNull();
  });
});
