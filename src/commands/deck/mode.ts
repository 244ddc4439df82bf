/**
 * Kong or Konnect? decide exactly as decK does (cmd/common.go `inKonnectMode`, cmd/root.go):
 *   1. a state file has `_konnect`                 → Konnect
 *   2. `--kong-addr` is not http://localhost:8001   → Kong
 *   3. a Konnect token (flag, env, or token file)   → Konnect
 *   4. `--konnect-addr` set (flag or env)           → Konnect
 *   else                                            → Kong
 * and which control plane: the file's `_konnect.control_plane_name` (or the deprecated
 * `runtime_group_name`), else `--konnect-control-plane-name`, else `default`, with decK's errors.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AigwError } from '../../errors.js';

export const DEFAULT_KONG_ADDR = 'http://localhost:8001';
export const DEFAULT_KONNECT_ADDR = 'https://us.api.konghq.com';
export const DEFAULT_CONTROL_PLANE = 'default';

/** Konnect's regional API hosts (control-planes openapi `servers`; sg needs an org opt-in). */
export const KONNECT_REGIONS = ['us', 'eu', 'au', 'me', 'in', 'sg'] as const;

export interface ModeInput {
  /** A state file has a `_konnect` block. */
  fileKonnect: boolean;
  kongAddr: string;
  konnectToken: string | undefined;
  /** `--konnect-addr` given on the command line or in the environment. */
  konnectAddrSet: boolean;
}

export function inKonnectMode(i: ModeInput): boolean {
  if (i.fileKonnect) return true;
  if (i.kongAddr !== DEFAULT_KONG_ADDR) return false;
  if (i.konnectToken !== undefined && i.konnectToken !== '') return true;
  return i.konnectAddrSet;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The token: `--konnect-token` (or its env) wins; else the file named by `--konnect-token-file`
 * (trailing newlines trimmed; an empty file is decK's `file "<f>": empty`). Both flags on the
 * command line are exclusive, as in decK.
 */
export function konnectToken(opts: Record<string, unknown>, fromCli: (key: string) => boolean, cwd: string): string | undefined {
  const token = str(opts.konnectToken);
  const file = str(opts.konnectTokenFile);
  if (fromCli('konnectToken') && fromCli('konnectTokenFile')) {
    throw new AigwError('AIGW_USAGE', 'if any flags in the group [konnect-token-file konnect-token] are set none of the others can be; [konnect-token konnect-token-file] were all set');
  }
  if (token !== undefined || file === undefined) return token;
  let content: string;
  try {
    content = readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new AigwError('AIGW_IO', `read file "${file}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (content.length === 0) throw new AigwError('AIGW_USAGE', `file "${file}": empty`);
  return content.replace(/\n+$/, '');
}

export interface FileKonnect {
  control_plane_name?: string;
  runtime_group_name?: string;
}

/** decK's evaluateTargetRuntimeGroupOrControlPlaneName, then its defaulting. */
export function controlPlaneName(file: FileKonnect | null, flagControlPlane: string | undefined, flagRuntimeGroup: string | undefined): string {
  if (flagControlPlane !== undefined && flagRuntimeGroup !== undefined) {
    throw new AigwError('AIGW_USAGE', 'if any flags in the group [konnect-runtime-group-name konnect-control-plane-name] are set none of the others can be');
  }
  const fromCli = flagControlPlane ?? flagRuntimeGroup;
  if (file !== null) {
    if (file.control_plane_name !== undefined && file.runtime_group_name !== undefined) {
      throw new AigwError('AIGW_USAGE', 'cannot set both runtime_group_name and control_plane_name. Please use only control_plane_name');
    }
    const fromFile = file.control_plane_name ?? file.runtime_group_name ?? '';
    if (fromCli !== undefined && fromFile !== fromCli) {
      throw new AigwError('AIGW_USAGE', `warning: control plane '${fromCli}' specified via --konnect-[control-plane|runtime-group]-name flag is different from '${fromFile}' found in state file(s)`);
    }
    if (fromFile !== '') return fromFile;
  }
  return fromCli ?? DEFAULT_CONTROL_PLANE;
}

/** A `--konnect-addr` that is not a URL is a usage error naming the regions. */
export function konnectAddress(addr: string): string {
  try {
    const u = new URL(addr);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new AigwError('AIGW_USAGE', `--konnect-addr is not an http(s) URL: ${addr} (regions: ${KONNECT_REGIONS.map((r) => `https://${r}.api.konghq.com`).join(', ')})`);
  }
  return addr.replace(/\/+$/, '');
}
