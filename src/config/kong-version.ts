/**
 * The Kong version a configuration is checked against: one of the schema profiles built by
 * schemas/src/build.mjs (the default at schemas/, the others under schemas/<profile>/).
 * `--kong-version` on validate/render/serve picks one; diff and sync take the target's (`GET /`).
 */
import { AigwError } from '../errors.js';

/** The schema profiles aigw ships: Kong 3.10 LTS, Kong 3.14 LTS (the default), Konnect (Kong 3.15 fields). */
export const KONG_PROFILES = ['3.10', '3.14', 'konnect'] as const;
export type KongProfile = (typeof KONG_PROFILES)[number];
export const DEFAULT_PROFILE: KongProfile = '3.14';

/** A profile and, when the version asked for is not exactly one, what was chosen instead and why. */
export interface ProfileChoice {
  profile: KongProfile;
  note: string | null;
}

/**
 * The profile of a Kong version ('3.10', '3.14.0.2', 'konnect'…): 3.10 and older → 3.10; 3.11 to
 * 3.14 → 3.14 (the nearest profile with their fields); 3.15 and later → konnect. Null when the
 * text is not a version.
 */
export function profileForVersion(version: string): ProfileChoice | null {
  const v = version.trim().toLowerCase();
  if (v === 'konnect') return { profile: 'konnect', note: null };
  const m = /^(\d+)\.(\d+)(?:[.-].*)?$/.exec(v);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const at = (profile: KongProfile, exact: boolean): ProfileChoice => ({
    profile, note: exact ? null : `no Kong ${major}.${minor} profile: checked against Kong ${profile === 'konnect' ? 'Konnect (3.15)' : profile}`,
  });
  if (major < 3 || (major === 3 && minor <= 10)) return at('3.10', major === 3 && minor === 10);
  if (major === 3 && minor <= 14) return at('3.14', minor === 14);
  return at('konnect', major === 3 && minor === 15);
}

/** `--kong-version` → a profile; a usage error names the accepted values. */
export function parseKongVersion(value: unknown): ProfileChoice {
  const choice = typeof value === 'string' ? profileForVersion(value) : null;
  if (choice === null) {
    throw new AigwError('AIGW_USAGE', `--kong-version must be a Kong version (3.10, 3.14, …) or konnect, not '${String(value)}'`);
  }
  return choice;
}
