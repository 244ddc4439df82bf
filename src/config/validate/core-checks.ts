/**
 * Kong's custom checks of vaults and of the core plugins (request-termination, proxy-cache,
 * rate-limiting-advanced, request-validator), with Kong's messages. Registered in
 * custom-checks.ts; same contract: the value at the check's path in, a failure or null out.
 */
import { INSTALLED_VAULTS } from '../../gateway/vault.js';
import { schemas } from '../schemas.js';
import { getPath, isNonEmpty } from './dotted-path.js';

type Check = (obj: unknown) => { path: Array<string | number>; message: string } | null;

const present = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/**
 * A vault's backend must be installed (`vault 'x' is not installed`, Kong's subschema error).
 * aigw serve installs `env`; Kong Enterprise's backends (`x-aigw-unsupported-values` of the
 * vault's `name`) pass here and are warned about by validate and refused by serve.
 */
const vaultBackend: Check = (vault) => {
  const name = getPath(vault, 'name');
  const prefix = getPath(vault, 'prefix');
  if (typeof prefix === 'string' && INSTALLED_VAULTS.includes(prefix)) {
    return { path: ['prefix'], message: `must not be one of: ${INSTALLED_VAULTS.join(', ')}` };
  }
  if (typeof name !== 'string' || INSTALLED_VAULTS.includes(name)) return null;
  const known = schemas().entity('vaults').properties?.name?.['x-aigw-unsupported-values'] ?? {};
  return name in known ? null : { path: ['name'], message: `vault '${name}' is not installed` };
};

/** request-termination's custom_validator (kong/plugins/request-termination/schema.lua). */
const requestTermination: Check = (c) => {
  const [message, contentType, body] = ['message', 'content_type', 'body'].map((k) => present(getPath(c, k)));
  if (message && (contentType || body)) return { path: [], message: 'message cannot be used with content_type or body' };
  if (contentType && !body) return { path: [], message: 'content_type requires a body' };
  if (getPath(c, 'echo') === true && (contentType || body)) return { path: [], message: 'echo cannot be used with content_type and body' };
  return null;
};

/** rate-limiting-advanced's entity check (Kong Enterprise; messages from its schema). */
const rateLimitingAdvanced: Check = (c) => {
  const limit = getPath(c, 'limit');
  const sizes = getPath(c, 'window_size');
  if (Array.isArray(limit) && Array.isArray(sizes) && limit.length !== sizes.length) {
    return { path: [], message: 'You must provide the same number of windows and limits' };
  }
  if (getPath(c, 'identifier') === 'header' && !isNonEmpty(getPath(c, 'header_name'))) return { path: [], message: 'No header name provided' };
  if (getPath(c, 'identifier') === 'path' && !isNonEmpty(getPath(c, 'path'))) return { path: [], message: 'No path provided' };
  const jitter = getPath(c, 'retry_after_jitter_max');
  if (typeof jitter === 'number' && jitter < 0) return { path: [], message: 'Non-negative retry_after_jitter_max value is expected' };
  const sync = getPath(c, 'sync_rate');
  if (typeof sync === 'number' && sync > 0 && sync < 0.02) {
    return { path: [], message: "Config option 'sync_rate' must not be a decimal between 0 and 0.02" };
  }
  if (getPath(c, 'enforce_consumer_groups') === true && !isNonEmpty(getPath(c, 'consumer_groups'))) {
    return { path: [], message: 'No consumer groups provided' };
  }
  return null;
};

/** response-transformer `rename.headers`: both names of each 'old:new' must be header names (Kong's validate_header_name). */
const headerPairs: Check = (list) => {
  if (!Array.isArray(list)) return null;
  const valid = (name: string): boolean => /^[a-zA-Z0-9_-]+$/.test(name);
  for (let i = 0; i < list.length; i++) {
    const m = typeof list[i] === 'string' ? /^([^:]+):*(.*)$/s.exec(list[i] as string) : null;
    if (!m) continue;
    for (const name of [m[1], m[2]]) if (!valid(name)) return { path: [i], message: `'${name}' is not a valid header` };
  }
  return null;
};

/** oauth2 credentials' `redirect_uris` elements (kong/plugins/oauth2/daos.lua validate_uri). */
const redirectUris: Check = (list) => {
  if (!Array.isArray(list)) return null;
  for (let i = 0; i < list.length; i++) {
    const uri = list[i];
    if (typeof uri !== 'string') continue;
    let u: URL | null = null;
    try {
      u = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]/.test(uri) ? new URL(uri) : null;
    } catch {
      u = null;
    }
    if (u === null || u.host === '') return { path: [i], message: `cannot parse '${uri}'` };
    if (uri.includes('#')) return { path: [i], message: `fragment not allowed in '${uri}'` };
  }
  return null;
};

/** A consumer-group override's config (Kong EE consumer_group_plugins' custom_entity_check, its messages). */
const consumerGroupOverride: Check = (c) => {
  const limit = getPath(c, 'limit');
  const windows = getPath(c, 'window_size');
  if (Array.isArray(limit) && Array.isArray(windows) && limit.length !== windows.length) return { path: [], message: 'You must provide the same number of windows and limits' };
  const jitter = getPath(c, 'retry_after_jitter_max');
  if (typeof jitter === 'number' && jitter < 0) return { path: ['retry_after_jitter_max'], message: 'Non-negative retry_after_jitter_max value is expected' };
  return null;
};

export const CORE_CHECKS: Record<string, Check> = {
  'redirect-uris': redirectUris,
  'vault-backend': vaultBackend,
  'request-termination': requestTermination,
  'header-pairs': headerPairs,
  'rate-limiting-advanced': rateLimitingAdvanced,
  'consumer-group-override': consumerGroupOverride,
};
