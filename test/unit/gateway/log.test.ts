import { describe, expect, it } from 'vitest';
import { formatAccess, lineLogger, type AccessEntry } from '../../../src/gateway/log.js';

const entry: AccessEntry = {
  request_id: 'abc', method: 'GET', path: '/x', route: 'r', consumer: null, status: 502, upstream_status: null, latency_ms: 3, upstream_latency_ms: null, kong_latency_ms: 3,
};

describe('access log and logger', () => {
  it('formats access lines as JSON and pretty text', () => {
    const json = JSON.parse(formatAccess(entry, 'json'));
    expect(json).toMatchObject({ type: 'access', request_id: 'abc', status: 502, upstream_status: null, route: 'r' });
    expect(formatAccess(entry, 'pretty')).toBe('502 GET /x route=r consumer=- upstream=- latency=3ms upstream_latency=- kong=3ms id=abc');
  });

  it('writes levels at or above the minimum, JSON or pretty', () => {
    const lines: string[] = [];
    const log = lineLogger((l) => lines.push(l), 'json', 'warn');
    log.info('hidden');
    log.warn('shown', { a: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', msg: 'shown', a: 1 });
    const pretty: string[] = [];
    lineLogger((l) => pretty.push(l), 'pretty').error('boom');
    expect(pretty).toEqual(['ERROR boom']);
  });
});
