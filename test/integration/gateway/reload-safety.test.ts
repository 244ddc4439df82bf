/**
 * Issue 10, defect 1: whatever a reload brings (a cyclic alias, nesting 1,000 levels deep, a loader
 * that throws), the process survives and the last good configuration keeps serving; the Admin API's
 * `POST /config` answers 400, never 500.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { watchState } from '../../../src/gateway/reload.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { startServeFiles, until, type RunningServe } from '../../helpers/serve-db.js';

const good = (up: string, path: string) => `_format_version: "3.0"\nservices:\n- name: echo\n  url: ${up}\n  routes:\n  - name: main\n    paths: [${path}]\n`;
const cyclic = '_format_version: "3.0"\nservices: &s [{name: x, url: "http://a", tags: *s}]\n';
const deep = `_format_version: "3.0"\nservices: [{name: x, url: "http://a", tags: ${'['.repeat(1000)}${']'.repeat(1000)}}]\n`;

describe('a reload that cannot be loaded', () => {
  let up: TestUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-reload-safety-'));
  const file = join(dir, 'kong.yaml');
  let gw: RunningServe;

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(file, good(up.url, '/v1'));
    gw = await startServeFiles([file]);
  });
  afterAll(async () => {
    await gw?.stop();
    await up.close();
  });

  it('keeps serving the last good file after a cyclic alias and over-deep nesting', async () => {
    writeFileSync(file, cyclic);
    await until(() => gw.stderr().includes('refers to its own anchor'));
    expect(gw.stderr()).toMatch(/kong\.yaml:2:\d+\s+error\s+AIGW_SYNTAX\s+alias \*s refers to its own anchor &s/);
    expect((await request(`${gw.proxy}/v1`)).status).toBe(200);
    writeFileSync(file, deep);
    await until(() => gw.stderr().includes('levels deep'));
    expect((await request(`${gw.proxy}/v1`)).status).toBe(200);
    writeFileSync(file, good(up.url, '/v2'));
    await until(async () => (await request(`${gw.proxy}/v2`)).status === 200);
  });

  it('answers POST /config with a cyclic or over-deep body with 400 and keeps the configuration', async () => {
    for (const text of [cyclic, deep]) {
      const res = await request(`${gw.admin}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: text });
      expect(res.status).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(/refers to its own anchor|levels deep/);
    }
    const json = await request(`${gw.admin}/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"config":${'['.repeat(5000)}${']'.repeat(5000)}}` });
    expect(json.status).toBe(400);
    expect((await request(`${gw.proxy}/v2`)).status).toBe(200);
  });

  it('is still the same process', () => {
    expect(gw.stderr()).not.toContain('AIGW_INTERNAL');
    expect(gw.stderr()).not.toContain('Converting circular structure');
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
