/**
 * Gateway logging: the injected Logger, and the per-request access-log line (pretty or JSON).
 * No console here: the caller supplies a write callback.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

import { VERSION as AIGW_VERSION } from '../version.js';

export { AIGW_VERSION };
/** Value of `Via` and `Server` on gateway responses. Kong sends `kong/<version>`; aigw names itself. */
export const VIA_HEADER = `1.1 aigw/${AIGW_VERSION}`;
export const SERVER_HEADER = `aigw/${AIGW_VERSION}`;

/** A logger that writes one line per message, JSON or human-readable. */
export function lineLogger(write: (line: string) => void, format: 'json' | 'pretty', minLevel: LogLevel = 'info'): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (order[level] < order[minLevel]) return;
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
      return;
    }
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    write(`${level.toUpperCase().padEnd(5)} ${msg}${extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that discards everything (tests, benchmarks). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { lines: Array<{ level: LogLevel; msg: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: LogLevel; msg: string; fields?: Record<string, unknown> }> = [];
  const push = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/** The fields of one access-log line. */
export interface AccessEntry {
  request_id: string;
  method: string;
  path: string;
  route: string | null;
  consumer: string | null;
  status: number;
  upstream_status: number | null;
  latency_ms: number;
  upstream_latency_ms: number | null;
  kong_latency_ms: number;
}

export function formatAccess(entry: AccessEntry, format: 'json' | 'pretty'): string {
  if (format === 'json') return JSON.stringify({ time: new Date().toISOString(), type: 'access', ...entry });
  const up = entry.upstream_status === null ? '-' : String(entry.upstream_status);
  const upLat = entry.upstream_latency_ms === null ? '-' : `${entry.upstream_latency_ms}ms`;
  return `${entry.status} ${entry.method} ${entry.path} route=${entry.route ?? '-'} consumer=${entry.consumer ?? '-'} upstream=${up} ` +
    `latency=${entry.latency_ms}ms upstream_latency=${upLat} kong=${entry.kong_latency_ms}ms id=${entry.request_id}`;
}
