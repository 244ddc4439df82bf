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
import { DEFAULT_KONG_ADDR, DEFAULT_KONNECT_ADDR } from './mode.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/**
 * decK's global connection flags, with decK's names and defaults. aigw's earlier spellings stay as
 * hidden aliases (`--header`, `--admin-token`). Every flag is also read from `AIGW_<FLAG>` and
 * `DECK_<FLAG>` (src/cli/program.ts).
 */
export const CONNECTION_OPTIONS: OptionSpec[] = [
  { flags: '--kong-addr <url>', description: "HTTP address of Kong's Admin API", default: DEFAULT_KONG_ADDR },
  { flags: '--headers <k:v>', description: 'HTTP header (key:value) on every request; repeatable', parse: collect },
  { flags: '--header <k:v>', description: 'alias of --headers', parse: collect, hidden: true },
  { flags: '--kong-admin-token <token>', description: 'token for the Admin API, sent as Kong-Admin-Token' },
  { flags: '--admin-token <token>', description: 'alias of --kong-admin-token', hidden: true },
  { flags: '-w, --workspace <name>', description: 'Kong workspace (takes precedence over _workspace in the files)' },
  { flags: '--ca-cert <pem>', description: 'CA certificate (PEM contents; a file path is accepted too) to verify the Admin API' },
  { flags: '--ca-cert-file <file>', description: 'file of a CA certificate to verify the Admin API' },
  { flags: '--tls-skip-verify', description: "do not verify the Admin API's TLS certificate" },
  { flags: '--tls-server-name <name>', description: "name to verify in the Admin API's TLS certificate" },
  { flags: '--tls-client-cert <pem>', description: 'client certificate (PEM contents, or a file path) for mutual TLS' },
  { flags: '--tls-client-cert-file <file>', description: 'file of the client certificate for mutual TLS' },
  { flags: '--tls-client-key <pem>', description: 'client key (PEM contents, or a file path) for mutual TLS' },
  { flags: '--tls-client-key-file <file>', description: 'file of the client key for mutual TLS' },
  { flags: '--timeout <seconds>', description: 'per-request timeout', default: '10' },
  { flags: '--skip-workspace-crud', description: 'do not check or create workspaces (RBAC users scoped to one)' },
  { flags: '--verbose <level>', description: 'log every request (method, path, status, time) to stderr at 1 and above; tokens are never logged', default: '0' },
  { flags: '--konnect-token <token>', description: 'Konnect personal (kpat_) or system-account (spat_) access token; selects Konnect' },
  { flags: '--konnect-token-file <file>', description: 'file holding the Konnect token' },
  { flags: '--konnect-addr <url>', description: 'Konnect API address (https://{us,eu,au,me,in,sg}.api.konghq.com); setting it selects Konnect', default: DEFAULT_KONNECT_ADDR },
  { flags: '--konnect-control-plane-name <name>', description: "Konnect control plane (default 'default', or _konnect.control_plane_name)" },
  { flags: '--konnect-runtime-group-name <name>', description: 'deprecated: use --konnect-control-plane-name', hidden: true },
];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** PEM contents, or (aigw's earlier meaning, and decK's `-file` flags) a file holding them. */
function pemFrom(cwd: string, value: string | undefined, file: string | undefined, what: string): string | undefined {
  const v = value ?? file;
  if (v === undefined) return undefined;
  if (value !== undefined && v.includes('-----BEGIN')) return v;
  try {
    return readFileSync(resolve(cwd, v), 'utf8').replace(/\n+$/, '\n');
  } catch (err) {
    throw new AigwError('AIGW_IO', `cannot read ${what} ${v}: ${(err as Error).message}`);
  }
}

export function parseHeaders(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of Array.isArray(list) ? list : []) {
    const i = typeof h === 'string' ? h.indexOf(':') : -1;
    if (i <= 0) throw new AigwError('AIGW_USAGE', `--headers expects key:value, got '${String(h)}'`);
    out[(h as string).slice(0, i).trim().toLowerCase()] = (h as string).slice(i + 1).trim();
  }
  return out;
}

export interface ConnectExtras {
  dispatcher?: Dispatcher;
  onRequest?: (method: string, path: string) => void;
  onResponse?: (method: string, path: string, status: number, ms: number) => void;
  retryBaseMs?: number;
}

/** TLS settings from decK's flags. */
export function tlsFrom(opts: Record<string, unknown>, cwd: string): TlsOptions {
  const cert = pemFrom(cwd, str(opts.tlsClientCert), str(opts.tlsClientCertFile), 'client certificate');
  const key = pemFrom(cwd, str(opts.tlsClientKey), str(opts.tlsClientKeyFile), 'client key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new AigwError('AIGW_USAGE', 'tls-client-cert and tls-client-key / tls-client-cert-file and tls-client-key-file must be used in conjunction but only one was provided');
  }
  return {
    ca: pemFrom(cwd, str(opts.caCert), str(opts.caCertFile), 'CA certificate'),
    skipVerify: opts.tlsSkipVerify === true,
    serverName: str(opts.tlsServerName),
    cert,
    key,
  };
}

export function timeoutMs(opts: Record<string, unknown>): number {
  const timeout = Number(opts.timeout ?? 10);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new AigwError('AIGW_USAGE', '--timeout must be a positive number of seconds');
  return timeout * 1000;
}

/** `--verbose N`: at 1 and above, one stderr line per answer (never headers, so never a token). */
export function requestLog(opts: Record<string, unknown>, err: (line: string) => void): ConnectExtras['onResponse'] {
  const level = Number(opts.verbose ?? 0);
  if (!Number.isFinite(level) || level < 1) return undefined;
  return (method, path, status, ms) => err(`${method} ${path} ${status === 0 ? 'network error' : status} ${ms}ms`);
}

/** Headers from `--headers` (and the `--header` alias). */
export function headersFrom(opts: Record<string, unknown>): Record<string, string> {
  return parseHeaders([...(Array.isArray(opts.headers) ? opts.headers : []), ...(Array.isArray(opts.header) ? opts.header : [])]);
}

/** Build the Kong Admin API client from parsed options (`opts` as commander gives them, camelCased). */
export function clientFrom(opts: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>, cwd: string, extras: ConnectExtras = {}): AdminClient {
  const baseUrl = str(opts.kongAddr) ?? env.AIGW_KONG_ADDR ?? DEFAULT_KONG_ADDR;
  try {
    new URL(baseUrl);
  } catch {
    throw new AigwError('AIGW_USAGE', `--kong-addr is not a URL: ${baseUrl}`);
  }
  return new AdminClient({
    baseUrl,
    headers: headersFrom(opts),
    token: str(opts.kongAdminToken) ?? str(opts.adminToken) ?? env.AIGW_ADMIN_TOKEN,
    workspace: str(opts.workspace) ?? null,
    timeoutMs: timeoutMs(opts),
    tls: tlsFrom(opts, cwd),
    dispatcher: extras.dispatcher,
    onRequest: extras.onRequest,
    onResponse: extras.onResponse,
    retryBaseMs: extras.retryBaseMs,
  });
}
