/**
 * `sync --wait` (beyond decK): after a Konnect sync, wait until every live data plane reports the
 * control plane's expected configuration hash; on timeout, exit 1 naming each laggard.
 */
import type { Io } from '../../cli/io.js';
import { AigwError } from '../../errors.js';
import { platformError } from '../../kong/konnect/control-planes.js';
import { waitForDataPlanes } from '../../kong/konnect/wait.js';
import type { OptionSpec } from '../types.js';
import type { Target } from './target.js';

export const WAIT_OPTIONS: OptionSpec[] = [
  { flags: '--wait', description: 'Konnect: after the sync, wait until the data planes run the new configuration (expected config hash)' },
  { flags: '--wait-timeout <seconds>', description: 'how long --wait waits before failing', default: '60' },
];

function seconds(v: unknown): number {
  const n = Number(v ?? 60);
  if (!Number.isFinite(n) || n < 0) throw new AigwError('AIGW_USAGE', '--wait-timeout must be a number of seconds ≥ 0');
  return n;
}

/** 0 when not asked, or when every live data plane converged; 1 on timeout (laggards listed). */
export async function waitAfterSync(target: Target, opts: Record<string, unknown>, io: Io): Promise<number> {
  if (opts.wait !== true) return 0;
  if (target.konnect === null) throw new AigwError('AIGW_USAGE', '--wait needs a Konnect target: a Kong Admin API applies changes on the node itself');
  const timeoutMs = seconds(opts.waitTimeout) * 1000;
  const cp = target.konnect.controlPlane;
  let r;
  try {
    r = await waitForDataPlanes(target.konnect.platform, cp.id, {
      timeoutMs,
      pollMs: typeof opts.waitPollMs === 'number' ? opts.waitPollMs : undefined,
    });
  } catch (err) {
    throw platformError(err, `waiting for the data planes of control plane '${cp.name}'`);
  }
  const live = r.nodes.length - r.stale.length;
  if (r.nodes.length === 0) {
    io.err(io.c.yellow(`warning: control plane '${cp.name}' has no data planes: nothing to wait for`));
    return 0;
  }
  if (r.converged) {
    io.err(`${io.c.green('✔')} ${live} data plane${live === 1 ? '' : 's'} of '${cp.name}' run configuration ${r.expectedHash} (${(r.waitedMs / 1000).toFixed(1)} s)${r.stale.length > 0 ? `; ${r.stale.length} not seen recently, ignored` : ''}`);
    return 0;
  }
  io.err(io.c.red(`error: AIGW_KONNECT_WAIT_TIMEOUT: after ${Math.round(r.waitedMs / 1000)} s, ${r.laggards.length} of ${live} data planes of '${cp.name}' do not run configuration ${r.expectedHash}:`));
  for (const n of r.laggards) io.err(`  ${n.hostname}  version ${n.version || '?'}  config_hash ${n.configHash || '(none)'}  last ping ${n.lastPingAgeS} s ago`);
  return 1;
}
