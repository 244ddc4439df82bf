/** Konnect test server: rate limiting, injected faults, and propagation to simulated data planes. */
import { describe, expect, it } from 'vitest';
import { coreBase, withKonnectServer, type CallResult } from '../helpers/konnect/calls.js';
import type { JsonObject } from '../helpers/konnect-server.js';

/** A clock the test moves by hand, so nothing here sleeps. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_800_000_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
const statuses = (rs: CallResult[]): number[] => rs.map((r) => r.status).sort();

describe('rate limiting and faults', () => {
  it('answers 429 with Retry-After past the burst, refills at the configured rate, counts both', () => {
    const clock = fakeClock();
    return withKonnectServer({ rateLimit: { perSecond: 2, burst: 3 }, clock: clock.now }, async (call, srv) => {
      const path = `${coreBase(srv)}/services`;
      const burst = await Promise.all(Array.from({ length: 8 }, () => call('GET', path)));
      expect(statuses(burst)).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
      const limited = burst.find((r) => r.status === 429) as CallResult;
      expect(limited.body).toEqual({ message: 'API rate limit exceeded' });
      expect(limited.headers['retry-after']).toBe('1');
      expect(srv.stats).toMatchObject({ total: 8, served: 3, rateLimited: 5 });
      clock.advance(250);
      expect((await call('GET', path)).headers['retry-after']).toBe('1');
      clock.advance(1000);
      expect(statuses(await Promise.all([call('GET', path), call('GET', path), call('GET', path)]))).toEqual([200, 200, 429]);
      srv.setRateLimit(undefined);
      expect(statuses(await Promise.all(Array.from({ length: 5 }, () => call('GET', path))))).toEqual([200, 200, 200, 200, 200]);
    });
  });

  it('injects 429 storms by count or by duration, whatever the bucket says', () => {
    const clock = fakeClock();
    return withKonnectServer({ clock: clock.now }, async (call, srv) => {
      const path = `${coreBase(srv)}/services`;
      srv.injectRateLimitStorm({ requests: 2, retryAfterSeconds: 0 });
      const [a, b, c] = [await call('GET', path), await call('GET', path), await call('GET', path)];
      expect([a.status, a.headers['retry-after'], b.status, c.status]).toEqual([429, '0', 429, 200]);
      srv.injectRateLimitStorm({ durationMs: 150, retryAfterSeconds: 1 });
      expect((await call('GET', path)).status).toBe(429);
      clock.advance(149);
      expect((await call('GET', path)).status).toBe(429);
      clock.advance(1);
      expect((await call('GET', path)).status).toBe(200);
      expect(srv.stats.rateLimited).toBe(4);
    });
  });

  it('injects 5xx and canned answers for matching requests only, then clears', () =>
    withKonnectServer({}, async (call, srv) => {
      const base = coreBase(srv);
      srv.inject5xx(2);
      const [x, y, z] = [await call('GET', `${base}/routes`), await call('GET', `${base}/routes`), await call('GET', `${base}/routes`)];
      expect([x.status, x.body.message, y.status, z.status]).toEqual([503, 'Service Unavailable', 503, 200]);
      srv.inject5xx(1, 500, { method: 'PUT', path: /\/services\// });
      expect((await call('GET', `${base}/services`)).status).toBe(200);
      const put = await call('PUT', `${base}/services/${crypto.randomUUID()}`, { host: 'a.com' });
      expect(put).toMatchObject({ status: 500, body: { message: 'An unexpected error occurred' } });
      srv.injectFault({
        path: `${base}/consumers`,
        status: 400,
        body: { code: 3, message: 'validation error', details: [] },
        headers: { 'x-fault': 'yes' },
        times: 5,
      });
      const f = await call('GET', `${base}/consumers`);
      expect([f.status, f.body.message, f.headers['x-fault']]).toEqual([400, 'validation error', 'yes']);
      srv.clearFaults();
      expect((await call('GET', `${base}/consumers`)).status).toBe(200);
      expect(srv.stats.faults).toBe(4);
    }));
});

describe('propagation', () => {
  it('changes expected-config-hash on every effective write only', () =>
    withKonnectServer({}, async (call, srv) => {
      const cp = srv.controlPlane('default');
      const hashPath = `/v2/control-planes/${cp.id}/expected-config-hash`;
      const first = await call('GET', hashPath);
      expect(first.body).toEqual({ expected_hash: expect.stringMatching(/^[0-9a-f]{32}$/), created_at: expect.any(Number), updated_at: expect.any(Number) });
      await call('GET', `${coreBase(srv)}/services`);
      await call('PUT', `${coreBase(srv)}/services/${crypto.randomUUID()}`, { port: 'bad' });
      expect((await call('GET', hashPath)).body.expected_hash).toBe(first.body.expected_hash);
      await call('PUT', `${coreBase(srv)}/services/${crypto.randomUUID()}`, { host: 'a.com' });
      const second = (await call('GET', hashPath)).body.expected_hash;
      expect(second).not.toBe(first.body.expected_hash);
      expect(cp.expectedHash()).toBe(second);
    }));

  it('lists data plane nodes that adopt the new hash after their delay; a lagging one can be held back', () => {
    const clock = fakeClock();
    return withKonnectServer(
      {
        clock: clock.now,
        controlPlanes: [
          {
            name: 'default',
            dataPlanes: [{ hostname: 'dp-1' }, { hostname: 'dp-2', delayMs: 300 }, { hostname: 'dp-3', delayMs: Infinity, version: '3.10.0.0' }],
          },
        ],
      },
      async (call, srv) => {
        const cp = srv.controlPlane('default');
        const nodesPath = `/v2/control-planes/${cp.id}/nodes`;
        const hashes = async (): Promise<Record<string, string>> =>
          Object.fromEntries(((await call('GET', `${nodesPath}?page[size]=10`)).body.items as JsonObject[]).map((n) => [n.hostname, n.config_hash]));
        const old = cp.expectedHash();
        await call('POST', `${coreBase(srv)}/consumers`, { username: 'u' });
        const fresh = cp.expectedHash();
        expect(await hashes()).toEqual({ 'dp-1': fresh, 'dp-2': old, 'dp-3': old });
        clock.advance(299);
        expect((await hashes())['dp-2']).toBe(old);
        clock.advance(1);
        expect(await hashes()).toEqual({ 'dp-1': fresh, 'dp-2': fresh, 'dp-3': old });
        cp.setDataPlaneDelay('dp-3', 0);
        expect((await hashes())['dp-3']).toBe(fresh);

        const p1 = await call('GET', `${nodesPath}?page[size]=2`);
        const node = (p1.body.items as JsonObject[])[0] as JsonObject;
        expect(Object.keys(node).sort()).toEqual([
          'compatibility_status',
          'config_hash',
          'created_at',
          'hostname',
          'id',
          'last_ping',
          'type',
          'updated_at',
          'version',
        ]);
        expect(p1.body.page).toEqual({ total_count: 3, next: expect.any(String) });
        const p2 = await call('GET', `${nodesPath}?page[size]=2&page[after]=${(p1.body.page as JsonObject).next as string}`);
        expect([(p2.body.items as JsonObject[]).map((n) => n.version), (p2.body.page as JsonObject).next]).toEqual([['3.10.0.0'], null]);
        expect(((await call('GET', `${nodesPath}/${node.id as string}`)).body.item as JsonObject).hostname).toBe('dp-1');
        expect((await call('GET', `${nodesPath}/${crypto.randomUUID()}`)).status).toBe(404);
      },
    );
  });
});
