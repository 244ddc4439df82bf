/**
 * Issue 10, defect 1: whatever a reload brings (a cyclic alias, nesting 1,000 levels deep, a loader
 * that throws), the process survives and the last good configuration keeps serving; the Admin API's
 * `POST /config` answers 400, never 500.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { serve } from '../../../src/commands/serve.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { watchState } from '../../../src/gateway/reload.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

const good = (up: string, path: string) => `_format_version: "3.0"\nservices:\n- name: echo\n  url: ${up}\n  routes:\n  - name: main\n    paths: [${path}]\n`;
const cyclic = '_format_version: "3.0"\nservices: &s [{name: x, url: "http://a", tags: *s}]\n';
const deep = `_format_version: "3.0"\nservices: [{name: x, url: "http://a", tags: ${'['.repeat(1000)}${']'.repeat(1000)}}]\n`;

const until = async (check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('a reload that cannot be loaded', () => {
  let up: TestUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-reload-safety-'));
  const file = join(dir, 'kong.yaml');
  let stop: () => void;
  let exit: Promise<number>;
  let proxyUrl = '';
  let adminUrl = '';
  const io = bufferIo({ env: {} });

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(file, good(up.url, '/v1'));
    const stopped = new Promise<void>((r) => (stop = r));
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((r) => (ready = r));
    exit = serve({ args: [file], opts: { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logFormat: 'json', accessLog: false } }, io, {
      stop: stopped,
      onReady: (u) => {
        proxyUrl = u.proxyUrl;
        adminUrl = u.adminUrl ?? '';
        ready();
      },
    });
    await Promise.race([isReady, exit.then((c) => Promise.reject(new Error(`serve exited ${c}: ${io.stderr()}`)))]);
  });
  afterAll(async () => {
    stop?.();
    await exit;
    await up.close();
  });

  it('keeps serving the last good file after a cyclic alias and over-deep nesting', async () => {
    writeFileSync(file, cyclic);
    await until(() => io.stderr().includes('refers to its own anchor'));
    expect(io.stderr()).toMatch(/kong\.yaml:2:\d+\s+error\s+AIGW_SYNTAX\s+alias \*s refers to its own anchor &s/);
    expect((await request(`${proxyUrl}/v1`)).status).toBe(200);
    writeFileSync(file, deep);
    await until(() => io.stderr().includes('levels deep'));
    expect((await request(`${proxyUrl}/v1`)).status).toBe(200);
    writeFileSync(file, good(up.url, '/v2'));
    await until(async () => (await request(`${proxyUrl}/v2`)).status === 200);
  });

  it('answers POST /config with a cyclic or over-deep body with 400 and keeps the configuration', async () => {
    for (const text of [cyclic, deep]) {
      const res = await request(`${adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: text });
      expect(res.status).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(/refers to its own anchor|levels deep/);
    }
    const json = await request(`${adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"config":${'['.repeat(5000)}${']'.repeat(5000)}}` });
    expect(json.status).toBe(400);
    expect((await request(`${proxyUrl}/v2`)).status).toBe(200);
  });

  it('is still the same process', () => {
    expect(io.stderr()).not.toContain('AIGW_INTERNAL');
    expect(io.stderr()).not.toContain('Converting circular structure');
  });
});

describe('the file watcher', () => {
  it('survives a loader that throws and keeps the last configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-reload-throw-'));
    writeFileSync(join(dir, 'k.yaml'), '_format_version: "3.0"\n');
    const logger = memoryLogger();
    let applied = 0;
    const w = await watchState({
      paths: ['k.yaml'],
      cwd: dir,
      load: async () => {
        throw new TypeError('Converting circular structure to JSON');
      },
      apply: async () => {
        applied++;
      },
      logger,
      format: (i) => i.message,
    });
    try {
      expect(await w.reload()).toBe(false);
      expect(applied).toBe(0);
      expect(logger.lines.map((l) => l.msg).join('\n')).toMatch(/configuration change rejected: it could not be loaded \(Converting circular structure to JSON\); the last good configuration keeps serving/);
    } finally {
      w.close();
    }
  });
});
