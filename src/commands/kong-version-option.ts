/** `--kong-version` of validate, render and serve: which schema profile the files are checked against. */
import type { Io } from '../cli/io.js';
import { DEFAULT_PROFILE, parseKongVersion, type KongProfile } from '../config/kong-version.js';
import { useKongProfile } from '../config/schemas.js';
import type { OptionSpec } from './types.js';

export const KONG_VERSION_OPTION: OptionSpec = {
  flags: '--kong-version <version>',
  description: `Kong version the files are written for: 3.10, 3.14 or konnect (default ${DEFAULT_PROFILE}; other 3.x use the nearest)`,
  env: 'AIGW_KONG_VERSION',
};

/** Make the profile of `--kong-version` (or the default) the active one; says so when the version had no exact profile. */
export function applyKongVersion(opts: Record<string, unknown>, io: Io): KongProfile {
  const choice = parseKongVersion(opts.kongVersion ?? DEFAULT_PROFILE);
  if (choice.note !== null) io.err(`note: ${choice.note}`);
  useKongProfile(choice.profile);
  return choice.profile;
}

/**
 * A file with a `_konnect` block is written for Konnect (decK switches to Konnect for it): without
 * `--kong-version`, check it against the Konnect profile. True when the profile changed (load again).
 */
export function konnectProfileForFile(opts: Record<string, unknown>, konnectBlock: boolean, io: Io): boolean {
  if (!konnectBlock || opts.kongVersion !== undefined || DEFAULT_PROFILE === 'konnect') return false;
  io.err('note: the files have a _konnect block: checked against Konnect (give --kong-version to choose another version)');
  useKongProfile('konnect');
  return true;
}
