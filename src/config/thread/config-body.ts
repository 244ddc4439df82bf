/**
 * The configuration in a `POST /config` body sent as `application/json`: its `config` member (a
 * configuration text, or the configuration itself), else the whole body. Parsed in the
 * configuration thread with the rest of the load (load-thread.ts): a 2 MB body is ~30 ms of
 * parsing, depth checking and re-serialising that would otherwise stop the proxy.
 */
import { MAX_DEPTH, tooDeep } from '../structure.js';

/** The body is not JSON, or nests too deep: the Admin API answers 400 with this message (as parseJson's). */
export class ConfigBodyError extends Error {}

export function jsonConfigText(raw: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigBodyError('Cannot parse JSON body');
  }
  if (tooDeep(parsed)) throw new ConfigBodyError(`Cannot parse JSON body: nested more than ${MAX_DEPTH} levels deep`);
  if (parsed !== null && typeof parsed === 'object' && 'config' in parsed) {
    const c = (parsed as { config: unknown }).config;
    return typeof c === 'string' ? c : JSON.stringify(c);
  }
  return raw;
}
