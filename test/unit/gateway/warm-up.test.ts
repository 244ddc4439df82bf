// Warm-up before listen (issue 10: the first 2 s after start had 13-60× the warm p99): requests run
// through the real pipeline against an in-process stub, all answered, within the budget, and none
// of them reaches the user's gateway (its counters, access log and logger stay untouched).
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { warmUp } from '../../../src/gateway/warm-up.js';
import { startGateway } from '../../../src/gateway/server.js';
import { stateFrom } from '../../helpers/gateway.js';

describe('warm-up before listen', () => {
  it('runs requests through the pipeline, every one answered 200, and stops at the request cap', async () => {
    const w = await warmUp(memoryLogger(), 24, 60_000);
    expect(w.requests).toBe(24);
    expect(w.ok).toBe(24);
  });

  it('stops at the time budget', async () => {
    const w = await warmUp(memoryLogger(), 1_000_000, 150);
    expect(w.requests).toBeGreaterThan(0);
    expect(w.requests).toBeLessThan(1_000_000);
    expect(w.ok).toBe(w.requests);
  });

  it('a gateway started with warmUp counts, logs and serves nothing of it', async () => {
    const logger = memoryLogger();
    const lines: string[] = [];
    const state = await stateFrom('_format_version: "3.0"\nservices:\n- name: s\n  url: http://127.0.0.1:9\n  routes:\n  - name: r\n    paths: [/r]\n');
    const gw = await startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger, accessLog: 'json', accessWrite: (l) => lines.push(l), warmUp: true });
    try {
      expect(gw.stats.totalRequests).toBe(0);
      expect(lines).toEqual([]);
      expect(logger.lines.map((l) => l.msg).filter((m) => m.startsWith('warmed up'))).toHaveLength(1);
      expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    } finally {
      await gw.close(0);
    }
  });
});
