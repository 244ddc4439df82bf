/**
 * Two `aigw serve` processes (the built CLI) sharing one real Redis enforce one rate limit, and a
 * third with `fault_tolerant: false` pointed at a dead Redis answers 500, as Kong does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { roomInWindow } from '../../helpers/clock.js';
import { freePort, request, servedUrls, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'dist', 'bin', 'aigw.js');
const dir = mkdtempSync(join(tmpdir(), 'aigw-serve-redis-'));
let redis: TestRedis;
let upstream: TestUpstream;
const servers: ResultPromise[] = [];

function config(redisPort: number, faultTolerant: boolean): string {
  return `_format_version: "3.0"
services:
  - name: api
    url: ${upstream.url}
    routes:
      - name: api
        paths: [/api]
        plugins:
          - name: rate-limiting
            config: { minute: 5, policy: redis, limit_by: ip, fault_tolerant: ${faultTolerant}, redis: { host: 127.0.0.1, port: ${redisPort}, timeout: 300 } }
`;
}

async function serve(file: string): Promise<string> {
  const s = execa(process.execPath, [bin, 'serve', file, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--no-watch'], { cwd: root, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
  servers.push(s);
  return (await servedUrls(s)).proxy;
}

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream();
});

afterAll(async () => {
  for (const s of servers) s.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.catch(() => undefined)));
  await upstream.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('rate-limiting with policy redis across aigw serve processes', () => {
  it('two processes on one Redis share one limit', async () => {
    const file = join(dir, 'shared.yaml');
    writeFileSync(file, config(redis.port, true));
    // both cold starts at once: one after the other took most of the test's time on a loaded machine
    const [a, b] = await Promise.all([serve(file), serve(file)]);
    // the limit is per minute of the wall clock (the processes' clocks cannot be faked): the 7
    // requests must not straddle a minute, so start them with at least 20 s of the minute left
    await roomInWindow(60_000, 20_000);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(`${i % 2 === 0 ? a : b}/api`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const last = await request(`${b}/api`);
    expect(last.status).toBe(429);
    expect(last.json()).toMatchObject({ message: 'API rate limit exceeded' });
  }, 120_000);

  it('a dead Redis: fault_tolerant false answers 500, true lets traffic through', async () => {
    const dead = await freePort();
    const strictFile = join(dir, 'strict.yaml');
    const lenientFile = join(dir, 'lenient.yaml');
    writeFileSync(strictFile, config(dead, false));
    writeFileSync(lenientFile, config(dead, true));
    const [strict, lenient] = await Promise.all([serve(strictFile), serve(lenientFile)]);
    expect((await request(`${strict}/api`)).status).toBe(500);
    expect((await request(`${lenient}/api`)).status).toBe(200);
  }, 120_000);
});
