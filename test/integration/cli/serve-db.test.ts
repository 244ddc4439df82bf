import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { freePort, request, servedUrls } from '../../helpers/net.js';

/**
 * Issue 6's walkthrough, with the built CLI as a user runs it: `aigw serve --db`, sync the README
 * example, call the AI route, change the file, diff, sync, dump; the database survives kill -9.
 */
const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'dist', 'bin', 'aigw.js');
const dir = mkdtempSync(join(tmpdir(), 'aigw-serve-db-'));
const db = join(dir, 'gw.db');
const token = 'test-admin-token';
let proxy = '';
let admin = '';
let mockPort = 0;
let server: ResultPromise | null = null;

function cli(args: string[]) {
  return execa(process.execPath, [bin, ...args, '--kong-addr', admin, '--admin-token', token], { cwd: root, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
}


async function start(): Promise<void> {
  server = execa(process.execPath, [bin, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--admin-token', token, '--mock', `127.0.0.1:${mockPort}`, '--log-format', 'json'], { cwd: root, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
  const urls = await servedUrls(server);
  proxy = urls.proxy;
  admin = urls.admin ?? '';
}

const example = () => readFileSync(join(root, 'examples', 'quickstart.yaml'), 'utf8').replace('http://127.0.0.1:9000', `http://127.0.0.1:${mockPort}`);

/** Polls `check` (a rebuild in the serve process takes its time on a loaded machine). */
async function until(check: () => Promise<boolean>, ms = 30_000, every = 30): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, every));
  }
}

const unkeyed = () => request(`${proxy}/ai/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

function chat() {
  return request(`${proxy}/ai/chat`, { method: 'POST', headers: { apikey: 'demo-key', 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'What is 1 + 1?' }] }) });
}

beforeAll(async () => {
  mockPort = await freePort();
  await start();
});

afterAll(async () => {
  server?.kill('SIGKILL');
  await server?.catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('aigw serve --db, then sync / diff / dump against it', () => {
  it('refuses Admin API calls without the token', async () => {
    const res = await request(`${admin}/services`);
    expect(res.status).toBe(401);
  });

  it('syncs the example, serves the AI route, shows and applies a change, dumps it back', async () => {
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, example());
    const synced = await cli(['sync', file]);
    expect(synced.exitCode).toBe(0);
    expect(synced.stdout).toContain('Created: 8');

    // the write rebuilds the configuration (coalesced, 50 ms debounce, then built in slices); polled
    // without the key (401 once the route is there) so that the rate limit counts nothing
    await until(async () => (await unkeyed()).status === 401);
    const res = await chat();
    expect(res.status).toBe(200);
    expect(res.json<{ choices: Array<{ message: { content: string } }> }>().choices[0].message.content).toBe('The answer to 1 + 1 is 2.');
    expect(res.headers['x-ratelimit-limit-minute']).toBe('60');

    const same = await cli(['diff', file, '--exit-code']);
    expect(same.exitCode).toBe(0);

    writeFileSync(file, example().replace('minute: 60', 'minute: 30'));
    const drift = await cli(['diff', file, '--exit-code']);
    expect(drift.exitCode).toBe(2);
    expect(drift.stdout).toContain('updating plugin rate-limiting for route ai-chat');
    expect(drift.stdout).toMatch(/- config\.minute: 60\n\s*\+ config\.minute: 30/);

    expect((await cli(['sync', file])).exitCode).toBe(0);
    // the changed plugin starts a fresh count: polling under the old limit cannot exhaust the new one
    await until(async () => (await chat()).headers['x-ratelimit-limit-minute'] === '30', 30_000, 250);
    expect((await cli(['sync', file])).stdout).toContain('Created: 0');

    const dumped = await cli(['dump', '--show-secrets']);
    expect(dumped.exitCode).toBe(0);
    writeFileSync(join(dir, 'dump.yaml'), dumped.stdout);
    expect((await cli(['diff', join(dir, 'dump.yaml'), '--exit-code'])).exitCode).toBe(0);
  }, 120_000); // eight CLI processes, each a cold start of seconds on a loaded machine

  it('keeps every acknowledged write across kill -9 and a restart', async () => {
    server?.kill('SIGKILL');
    await server?.catch(() => undefined);
    await start();
    await until(async () => (await unkeyed()).status === 401);
    const res = await chat();
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-limit-minute']).toBe('30');
  }, 90_000);
});
