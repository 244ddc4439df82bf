/**
 * The connection options every online command shares (decK's global flags), and the client built
 * from them. Files named by TLS options are read here, at the edge.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Dispatcher } from 'undici';
import type { OptionSpec } from '../types.js';
import { AigwError } from '../../errors.js';
import { AdminClient, type TlsOptions } from '../../kong/client.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

export const CONNECTION_OPTIONS: OptionSpec[] = [
  { flags: '--kong-addr <url>', description: 'Admin API address', default: 'http://localhost:8001', env: 'AIGW_KONG_ADDR' },
  { flags: '--header <k:v>', description: 'extra header on every Admin API request (repeatable)', parse: collect },
  { flags: '--admin-token <token>', description: 'sent as Kong-Admin-Token', env: 'AIGW_ADMIN_TOKEN' },
  { flags: '-w, --workspace <name>', description: 'Kong workspace' },
  { flags: '--ca-cert <file>', description: 'PEM file of CA certificates to trust' },
  { flags: '--tls-skip-verify', description: 'do not verify the Admin API certificate' },
  { flags: '--tls-client-cert <file>', description: 'client certificate (PEM) for mutual TLS' },
  { flags: '--tls-client-key <file>', description: 'client key (PEM) for mutual TLS' },
  { flags: '--timeout <seconds>', description: 'per-request timeout', default: '10' },
];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function readPem(cwd: string, file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new AigwError('AIGW_IO', `cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

export function parseHeaders(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of Array.isArray(list) ? list : []) {
    const i = typeof h === 'string' ? h.indexOf(':') : -1;
    if (i <= 0) throw new AigwError('AIGW_USAGE', `--header expects k:v, got '${String(h)}'`);
    out[(h as string).slice(0, i).trim().toLowerCase()] = (h as string).slice(i + 1).trim();
  }
  return out;
}

export interface ConnectExtras {
  dispatcher?: Dispatcher;
  onRequest?: (method: string, path: string) => void;
  retryBaseMs?: number;
}

/** Build the client from parsed options (`opts` as commander gives them, camelCased). */
export function clientFrom(opts: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>, cwd: string, extras: ConnectExtras = {}): AdminClient {
  const cert = str(opts.tlsClientCert);
  const key = str(opts.tlsClientKey);
  if ((cert === undefined) !== (key === undefined)) throw new AigwError('AIGW_USAGE', '--tls-client-cert and --tls-client-key go together');
  const tls: TlsOptions = {
    ca: readPem(cwd, str(opts.caCert), 'CA certificate'),
    skipVerify: opts.tlsSkipVerify === true,
    cert: readPem(cwd, cert, 'client certificate'),
    key: readPem(cwd, key, 'client key'),
  };
  const timeout = Number(opts.timeout ?? 10);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new AigwError('AIGW_USAGE', '--timeout must be a positive number of seconds');
  const baseUrl = str(opts.kongAddr) ?? env.AIGW_KONG_ADDR ?? 'http://localhost:8001';
  try {
    new URL(baseUrl);
  } catch {
    throw new AigwError('AIGW_USAGE', `--kong-addr is not a URL: ${baseUrl}`);
  }
  return new AdminClient({
    baseUrl,
    headers: parseHeaders(opts.header),
    token: str(opts.adminToken) ?? env.AIGW_ADMIN_TOKEN,
    workspace: str(opts.workspace) ?? null,
    timeoutMs: timeout * 1000,
    tls,
    dispatcher: extras.dispatcher,
    onRequest: extras.onRequest,
    retryBaseMs: extras.retryBaseMs,
  });
}
