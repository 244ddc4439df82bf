import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { serve } from '../../../src/commands/serve.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { startServeFiles, until, type RunningServe } from '../../helpers/serve-db.js';

const yaml = (up: string, path: string, extra = '') => `
_format_version: "3.0"
services:
- name: echo
  url: ${up}
  routes:
  - name: main
    paths: [${path}]
    plugins:
    - name: rate-limiting
      config: { hour: 1000000, limit_by: ip }
${extra}`;

describe('aigw serve', () => {
  let up: TestUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-serve-'));
  const file = join(dir, 'kong.yaml');
  let gw: RunningServe;

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(file, yaml(up.url, '/v1'));
    gw = await startServeFiles([file], { opts: { accessLog: true } });
  });
  afterAll(async () => {
    await gw?.stop();
    await up.close();
  });

  it('prints a startup summary and proxies', async () => {
    expect(gw.stderr()).toContain('proxy listening on http://127.0.0.1:');
    expect(gw.stderr()).toMatch(/main\s+paths=\/v1\s+→ echo \(http:\/\/127\.0\.0\.1:\d+\)\s+plugins=rate-limiting/);
    const res = await request(`${gw.proxy}/v1/x`);
    expect(res.status).toBe(200);
    await until(async () => gw.stdout().includes('"type":"access"'));
    const line = JSON.parse(gw.stdout().trim().split('\n').at(-1) as string);
    expect(line).toMatchObject({ method: 'GET', path: '/v1/x', route: 'main', status: 200, upstream_status: 200, request_id: res.headers['x-kong-request-id'] });
  });

  it('serves the Admin API on the admin listener', async () => {
    const res = await request(`${gw.admin}/routes`);
    expect(res.status).toBe(200);
    expect(res.json<{ data: Array<{ name: string }> }>().data.map((r) => r.name)).toContain('main');
  });

  it('reloads on a valid change, keeps serving on an invalid one, and sees replaced files', async () => {
    writeFileSync(file, yaml(up.url, '/v2'));
    await until(async () => (await request(`${gw.proxy}/v2`)).status === 200);
    expect((await request(`${gw.proxy}/v1`)).status).toBe(404);

    writeFileSync(file, yaml(up.url, '/v3', 'bogus_key: 1\n'));
    await until(async () => gw.stderr().includes('configuration change rejected'));
    expect(gw.stderr()).toMatch(/kong\.yaml:\d+:\d+\s+error/);
    expect((await request(`${gw.proxy}/v2`)).status).toBe(200);

    const tmp = join(dir, '.kong.yaml.swp');
    writeFileSync(tmp, yaml(up.url, '/v4'));
    renameSync(tmp, file);
    await until(async () => (await request(`${gw.proxy}/v4`)).status === 200);
  });

  it('rejects a change whose plugin config cannot be compiled (unresolved vault reference)', async () => {
    const extra = `plugins:\n- name: http-log\n  config: { http_endpoint: "http://127.0.0.1:1/", headers: { x-t: "{vault://env/not-set-anywhere}" } }\n`;
    writeFileSync(file, yaml(up.url, '/v5', extra));
    await until(async () => gw.stderr().includes('NOT_SET_ANYWHERE'));
    expect(gw.stderr()).toMatch(/configuration change rejected: plugin 'http-log'/);
    expect((await request(`${gw.proxy}/v4`)).status).toBe(200);
    expect((await request(`${gw.proxy}/v5`)).status).toBe(404);
    writeFileSync(file, yaml(up.url, '/v4'));
    await until(async () => (await request(`${gw.proxy}/v4`)).status === 200);
  });

  it('applies a declarative POST /config from the Admin API, and /status reports its hash', async () => {
    const body = JSON.stringify({ config: yaml(up.url, '/v4').replace('paths: [/v4]', 'paths: [/v4, /admin-added]') });
    const posted = await request(`${gw.admin}/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(posted.status).toBe(201);
    await until(async () => (await request(`${gw.proxy}/admin-added`)).status === 200);
    const status = (await request(`${gw.admin}/status`)).json<{ configuration_hash: string; server: { total_requests: number } }>();
    expect(status.server.total_requests).toBeGreaterThan(0);
    const check = await request(`${gw.admin}/config?check_hash=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(check.status).toBe(304);
    expect(status.configuration_hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('fails no request while reloading repeatedly', async () => {
    const failures: number[] = [];
    let done = false;
    let n = 0;
    const load = (async () => {
      while (!done) {
        const res = await request(`${gw.proxy}/v4/p`);
        if (res.status !== 200) failures.push(res.status);
        n++;
      }
      return n;
    })();
    for (let i = 0; i < 5; i++) {
      writeFileSync(file, yaml(up.url, '/v4', `# change ${i}\n`));
      // at least 200 ms and 3 requests per change (a loaded machine may answer few in 200 ms)
      const seen = n;
      await new Promise((r) => setTimeout(r, 200));
      await until(async () => n >= seen + 3);
    }
    done = true;
    expect(await load).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });

  it('exits 0 after a graceful stop', async () => {
    expect(await gw.stop()).toBe(0);
    expect(gw.stderr()).toContain('stopped');
  });
});

describe('aigw serve errors', () => {
  it('exits 1 with the validation messages when the file is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-serve-bad-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, '_format_version: "3.0"\nservices:\n- name: s\n  port: nope\n');
    const io = bufferIo();
    const code = await serve({ args: [file], opts: { listen: '127.0.0.1:0', adminListen: 'off' } }, io, { stop: Promise.resolve() });
    expect(code).toBe(1);
    expect(io.stderr()).toMatch(/bad\.yaml:\d+:\d+\s+error/);
  });
});
