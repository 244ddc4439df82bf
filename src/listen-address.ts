import { AigwError } from './errors.js';

/**
 * A listen address: `host:port`, `[v6]:port`, `:port` or a bare `port` (host 127.0.0.1). Used for
 * the gateway's proxy and admin listeners and the mock LLM's. Throws AigwError (AIGW_USAGE).
 */
export function parseListen(value: string): { host: string; port: number } {
  const v = value.trim();
  const m = /^\d+$/.test(v) ? ['', '', v] : (/^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:[\]]*):(\d+)$/.exec(v));
  const port = m === null ? NaN : Number.parseInt(m[2], 10);
  if (m === null || !(port >= 0 && port <= 65535)) {
    throw new AigwError('AIGW_USAGE', `invalid listen address "${value}": expected host:port (e.g. 127.0.0.1:8000)`);
  }
  return { host: m[1] === '' ? '127.0.0.1' : m[1], port };
}
