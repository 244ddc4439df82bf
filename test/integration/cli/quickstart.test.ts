import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { request, servedUrls } from '../../helpers/net.js';

/** The README's main job, exactly as written: `aigw serve examples/quickstart.yaml --mock`. */
const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'dist', 'bin', 'aigw.js');


describe('README quick start', () => {
  it('`npm start` serves a keyed, rate-limited AI route against the built-in mock, then stops cleanly on SIGTERM', async () => {
    const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe('node dist/bin/aigw.js serve examples/quickstart.yaml --mock');
    // the same command, on ports the kernel picks for the proxy and status listeners (the mock keeps the example's 9000)
    const server = execa(process.execPath, [bin, 'serve', 'examples/quickstart.yaml', '--mock', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], { cwd: root, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
    try {
      const { proxy: p, admin: a } = await servedUrls(server);
      const body = JSON.stringify({ messages: [{ role: 'user', content: 'What is 1 + 1?' }] });
      const ok = await request(`${p}/ai/chat`, { method: 'POST', headers: { apikey: 'demo-key', 'content-type': 'application/json' }, body });
      expect(ok.status).toBe(200);
      const answer = ok.json<{ model: string; choices: Array<{ message: { content: string } }>; usage: { total_tokens: number } }>();
      expect(answer.choices[0].message.content).toBe('The answer to 1 + 1 is 2.');
      expect(answer.model).toBe('gpt-4o');
      expect(answer.usage.total_tokens).toBe(13);
      expect(ok.headers['x-kong-llm-model']).toBe('openai/gpt-4o');
      expect(ok.headers['ratelimit-limit']).toBe('60');
      const denied = await request(`${p}/ai/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(denied.status).toBe(401);
      expect(denied.json()).toMatchObject({ message: 'No API key found in request' });
      const metrics = await request(`${a}/metrics`);
      expect(metrics.text).toContain('kong_ai_llm_requests_total');
    } finally {
      server.kill('SIGTERM');
    }
    const result = await server;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('declarative mode: serving examples/quickstart.yaml');
    expect(result.stderr).toContain('mock LLM listening on http://127.0.0.1:9000');
  });

  it('with neither a file nor --db, says the configuration lives in memory (and loads neither ioredis nor better-sqlite3)', async () => {
    // Lazy loading keeps a gateway without Redis or --db small: report the CommonJS packages loaded at exit.
    const preload = join(mkdtempSync(join(tmpdir(), 'aigw-lazy-')), 'report.cjs');
    writeFileSync(preload, "process.on('exit', () => process.stderr.write('heavy modules: ' + [...new Set(Object.keys(require.cache).map((k) => /node_modules\\/(ioredis|better-sqlite3)\\//.exec(k)?.[1]).filter(Boolean))].join(',') + '.\\n'));");
    const server = execa(process.execPath, ['--require', preload, bin, 'serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], { cwd: root, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
    try {
      const { admin: a } = await servedUrls(server);
      const created = await request(`${a}/services`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 's', url: 'http://127.0.0.1:1' }) });
      expect(created.status).toBe(201);
    } finally {
      server.kill('SIGINT');
    }
    const result = await server;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('database mode in memory');
    expect(result.stderr).toContain('heavy modules: .');
  });

  it('refuses --db together with state files', async () => {
    const r = await execa(process.execPath, [bin, 'serve', 'examples/quickstart.yaml', '--db', '/tmp/x.db'], { cwd: root, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('--db and state files exclude each other');
  });
});
