/**
 * The target of an online command: a Kong Admin API, or a Konnect control plane, chosen as decK
 * chooses (mode.ts). Both give an AdminClient for the entity endpoints; what differs is described by
 * `konnect` (control plane, platform client, pacer) and `info`.
 *
 *   Kong     {kong-addr}[/{workspace}]/services …                      GET / for version and mode
 *   Konnect  {konnect-addr}/v2/control-planes/{id}/core-entities[/{ws}]/services …   no GET /
 */
import type { Io } from '../../cli/io.js';
import { AigwError } from '../../errors.js';
import { AdminApiError, AdminClient } from '../../kong/client.js';
import type { TargetInfo } from '../../kong/executor.js';
import { findControlPlane, refusal, type ControlPlane } from '../../kong/konnect/control-planes.js';
import { Pacer } from '../../kong/pacer.js';
import { VERSION } from '../../version.js';
import { clientFrom, headersFrom, requestLog, timeoutMs, tlsFrom } from './connect.js';
import { connect } from './reconcile.js';
import { controlPlaneName, DEFAULT_KONG_ADDR, DEFAULT_KONNECT_ADDR, inKonnectMode, konnectAddress, konnectToken, type FileKonnect } from './mode.js';

/**
 * Konnect's default write parallelism and starting pace (requests/s), chosen with bench/sync against
 * the rate-limited test server (bench/README.md, "Konnect"): more workers only meet the rate limit.
 */
export const KONNECT_PARALLELISM = 4;
export const KONNECT_START_RATE = 20;

export interface KonnectSession {
  addr: string;
  controlPlane: ControlPlane;
  /** `{addr}`: control planes, nodes, expected config hash. */
  platform: AdminClient;
  pacer: Pacer;
}

export interface Target {
  client: AdminClient;
  info: TargetInfo;
  /** For messages: `the Admin API at http://…`, `Konnect control plane 'x'`. */
  label: string;
  konnect: KonnectSession | null;
  close(): Promise<void>;
}

export interface TargetRequest {
  opts: Record<string, unknown>;
  sources?: Readonly<Record<string, 'cli' | 'env' | 'default'>>;
  /** The files' `_konnect` block (null: none), and `_workspace`. */
  fileKonnect: FileKonnect | null;
  fileWorkspace?: string | null;
  /** Refuse control planes that cannot take writes (KIC, groups). */
  forWriting: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const KONNECT_INFO: TargetInfo = { version: 'Konnect', edition: 'enterprise', database: 'konnect', dbless: false, hostname: null, aigw: false, kongVersion: null };

function retryBase(opts: Record<string, unknown>): number | undefined {
  return typeof opts.retryBaseMs === 'number' ? opts.retryBaseMs : undefined;
}

/** Whether these options (and the files' `_konnect`) select Konnect. */
export function wantsKonnect(req: TargetRequest, cwd: string): { konnect: boolean; token: string | undefined } {
  const fromCli = (k: string) => (req.sources === undefined ? req.opts[k] !== undefined : req.sources[k] === 'cli');
  const explicit = (k: string) => (req.sources === undefined ? req.opts[k] !== undefined : req.sources[k] === 'cli' || req.sources[k] === 'env');
  const token = konnectToken(req.opts, fromCli, cwd);
  const konnect = inKonnectMode({
    fileKonnect: req.fileKonnect !== null,
    kongAddr: str(req.opts.kongAddr) ?? DEFAULT_KONG_ADDR,
    konnectToken: token,
    konnectAddrSet: explicit('konnectAddr'),
  });
  return { konnect, token };
}

async function openKonnect(req: TargetRequest, io: Io, token: string | undefined): Promise<Target> {
  if (token === undefined) throw new AigwError('AIGW_KONNECT_AUTH', 'Konnect needs a token: --konnect-token, --konnect-token-file or DECK_KONNECT_TOKEN');
  const addr = konnectAddress(str(req.opts.konnectAddr) ?? DEFAULT_KONNECT_ADDR);
  const name = controlPlaneName(req.fileKonnect, str(req.opts.konnectControlPlaneName), str(req.opts.konnectRuntimeGroupName));
  const parallelism = Number(req.opts.parallelism ?? KONNECT_PARALLELISM);
  const pacer = new Pacer({ rate: KONNECT_START_RATE, burst: Math.max(1, Number.isFinite(parallelism) ? parallelism : KONNECT_PARALLELISM) });
  const common = {
    bearerToken: token,
    userAgent: `aigw/${VERSION}`,
    headers: headersFrom(req.opts),
    tls: tlsFrom(req.opts, io.cwd),
    timeoutMs: timeoutMs(req.opts),
    pacer,
    rateLimitRetries: 10,
    maxBackoffMs: 60_000,
    retryBaseMs: retryBase(req.opts),
    onResponse: requestLog(req.opts, (l) => io.err(l)),
  };
  const platform = new AdminClient({ ...common, baseUrl: addr });
  let cp: ControlPlane;
  try {
    cp = await findControlPlane(platform, name);
  } catch (err) {
    await platform.close();
    throw err;
  }
  const why = refusal(cp);
  if (why !== null && req.forWriting) {
    await platform.close();
    throw new AigwError('AIGW_KONNECT', why);
  }
  const ws = str(req.opts.workspace) ?? str(req.fileWorkspace ?? undefined);
  const client = new AdminClient({ ...common, baseUrl: `${addr}/v2/control-planes/${cp.id}/core-entities`, workspace: ws === 'default' ? null : (ws ?? null) });
  const close = async () => {
    await Promise.all([client.close(), platform.close()]);
  };
  if (ws !== undefined && ws !== 'default' && req.opts.skipWorkspaceCrud !== true) await checkWorkspace(client, ws, cp, close);
  return { client, info: KONNECT_INFO, label: `Konnect control plane '${cp.name}'`, konnect: { addr, controlPlane: cp, platform, pacer }, close };
}

/** `GET {root}/workspaces/{ws}` (go-kong ExistsByName on the root URL); Konnect has none unless configured. */
async function checkWorkspace(client: AdminClient, ws: string, cp: ControlPlane, close: () => Promise<void>): Promise<void> {
  try {
    await client.get(`/workspaces/${encodeURIComponent(ws)}`);
  } catch (err) {
    await close();
    if (err instanceof AdminApiError && err.status === 404) {
      throw new AigwError('AIGW_KONNECT', `checking if workspace exists: workspace '${ws}' does not exist on Konnect control plane '${cp.name}' (a _workspace left over from a Kong file? remove it, or pass -w default)`);
    }
    throw err;
  }
}

/** Open the target the options and files select. Kong: `GET /` answered; Konnect: control plane found. */
export async function openTarget(req: TargetRequest, io: Io): Promise<Target> {
  const { konnect, token } = wantsKonnect(req, io.cwd);
  if (konnect) return openKonnect(req, io, token);
  const client = clientFrom({ ...req.opts, workspace: str(req.opts.workspace) ?? req.fileWorkspace ?? undefined }, io.env, io.cwd, {
    retryBaseMs: retryBase(req.opts),
    onResponse: requestLog(req.opts, (l) => io.err(l)),
  });
  try {
    const info = await connect(client);
    return { client, info, label: `the Admin API at ${client.baseUrl}`, konnect: null, close: () => client.close() };
  } catch (err) {
    await client.close();
    throw err;
  }
}
