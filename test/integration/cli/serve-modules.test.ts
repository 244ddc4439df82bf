import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { freePort, request, waitForHttp as waitFor } from '../../helpers/net.js';

/**
 * What `aigw serve` loads is what its configuration uses (issue 10, RSS at start): the built CLI
 * with the quick-start file, every module it loads listed by a module hook (ES modules) and by
 * require.cache (CommonJS). A reload that names a plugin not loaded yet loads it and serves it.
 */
const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'dist', 'bin', 'aigw.js');
const dir = mkdtempSync(join(tmpdir(), 'aigw-modules-'));
const esmLog = join(dir, 'esm.log');
const cjsLog = join(dir, 'cjs.log');

// the ESM hook runs in the loader thread: it appends each URL as it is loaded
writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(${JSON.stringify(esmLog)}, url + '\\n'); return next(url, context); }\n`);
// preloaded with --require: registers the hook; on SIGUSR2 writes the CommonJS modules loaded so far
writeFileSync(join(dir, 'trace.cjs'), `require('node:module').register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
process.on('SIGUSR2', () => require('node:fs').writeFileSync(${JSON.stringify(cjsLog)}, Object.keys(require.cache).join('\\n')));\n`);

// preloaded with --require: reports every use of ICU's locale services (Intl, toLocale*, localeCompare, normalize) with its stack
const intlSpy = join(dir, 'intl-spy.cjs');
writeFileSync(intlSpy, `const report = (what) => require('node:fs').writeSync(2, 'ICU_LOCALE_USE ' + what + '\\n' + new Error().stack + '\\n');
for (const k of Object.getOwnPropertyNames(Intl)) {
  const C = Intl[k];
  if (typeof C === 'function') Intl[k] = new Proxy(C, { construct: (t, a, n) => (report('Intl.' + k), Reflect.construct(t, a, n)), apply: (t, self, a) => (report('Intl.' + k), Reflect.apply(t, self, a)) });
}
for (const [o, ks] of [[String.prototype, ['localeCompare', 'normalize', 'toLocaleLowerCase', 'toLocaleUpperCase']], [Number.prototype, ['toLocaleString']], [BigInt.prototype, ['toLocaleString']], [Array.prototype, ['toLocaleString']], [Date.prototype, ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']]]) {
  for (const k of ks) { const f = o[k]; o[k] = function (...a) { report(k); return f.apply(this, a); }; }
}\n`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every module file loaded so far, as paths relative to the repository (node: built-ins left out). */
async function loaded(pid: number): Promise<string[]> {
  rmSync(cjsLog, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !existsOrEmpty(cjsLog); i++) await new Promise((r) => setTimeout(r, 50));
  const esm = readFileSync(esmLog, 'utf8').split('\n').filter((u) => u.startsWith('file:')).map((u) => new URL(u).pathname);
  const cjs = readFileSync(cjsLog, 'utf8').split('\n').filter((f) => f.startsWith('/'));
  return [...new Set([...esm, ...cjs])].map((f) => (f.startsWith(root) ? f.slice(root.length + 1) : f));
}

function existsOrEmpty(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

const packageOf = (f: string): string | null => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? null;
const pluginOf = (f: string): string | null => /^dist\/src\/gateway\/plugins\/([^/]+)\/index\.js$/.exec(f)?.[1] ?? null; // a plugin's implementation
const validatorOf = (f: string): string | null => /^dist\/validators\/(.+)\.cjs$/.exec(f)?.[1] ?? null;

describe('aigw serve loads only what its configuration uses', { timeout: 60_000 }, () => {
  it('the quick start loads its four plugins, their validators, and none of ioredis, better-sqlite3, jose, OTLP, the mock; a reload naming request-termination loads it', async () => {
    const [p, a] = [await freePort(), await freePort()];
    const server = execa(process.execPath, ['--require', join(dir, 'trace.cjs'), bin, 'serve', 'examples/quickstart.yaml', '--listen', `127.0.0.1:${p}`, '--admin-listen', `127.0.0.1:${a}`, '--no-watch'], { cwd: root, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
    try {
      await waitFor(`http://127.0.0.1:${a}/status`);
      const atStart = await loaded(server.pid as number);
      expect(atStart.some((f) => f === 'dist/src/gateway/server.js'), 'the trace sees the gateway').toBe(true);
      expect([...new Set(atStart.map(pluginOf).filter((x) => x !== null))].sort()).toEqual(['ai-proxy', 'key-auth', 'prometheus', 'rate-limiting']);
      expect([...new Set(atStart.map(validatorOf).filter((x) => x !== null))].sort()).toEqual(['core', 'plugins_ai_proxy', 'plugins_key_auth', 'plugins_prometheus', 'plugins_rate_limiting']);
      const packages = new Set(atStart.map(packageOf));
      for (const heavy of ['ioredis', 'better-sqlite3', 'jose', '@opentelemetry/otlp-transformer', '@opentelemetry/sdk-metrics', 'http-proxy-3', 'diff']) expect(packages.has(heavy), heavy).toBe(false);
      expect(atStart.filter((f) => f.startsWith('dist/src/mock/') || f.startsWith('dist/src/diff/plan'))).toEqual([]);
      // undici's dispatchers only (undici-core.ts): not its index, fetch, WebSocket, cache or mocks (−8.6 MiB RSS)
      expect(atStart.some((f) => f.endsWith('node_modules/undici/lib/dispatcher/agent.js')), 'the LLM caller\'s Agent').toBe(true);
      expect(atStart.filter((f) => /node_modules\/undici\/(index\.js|lib\/(web|mock|cache)\/)/.test(f))).toEqual([]);

      // POST /config with request-termination on the route: loaded before the new configuration is built, and it runs
      const text = readFileSync(join(root, 'examples', 'quickstart.yaml'), 'utf8').replace('        plugins:\n', '        plugins:\n          - name: request-termination\n            config: { status_code: 418, message: loaded on reload }\n');
      const posted = await request(`http://127.0.0.1:${a}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: text });
      expect(posted.status).toBe(201);
      const chat = () => request(`http://127.0.0.1:${p}/ai/chat`, { method: 'POST', headers: { apikey: 'demo-key', 'content-type': 'application/json' }, body: '{"messages":[{"role":"user","content":"hi"}]}' });
      let res = await chat();
      for (let i = 0; i < 50 && res.status !== 418; i++) {
        await new Promise((r) => setTimeout(r, 100)); // the new configuration is built in slices after the answer
        res = await chat();
      }
      expect(res.status).toBe(418);
      expect(res.json()).toMatchObject({ message: 'loaded on reload' });
      expect((await loaded(server.pid as number)).map(pluginOf)).toContain('request-termination');
    } finally {
      server.kill('SIGTERM');
    }
    expect((await server).exitCode).toBe(0);
  });

  it('by default it warms up before listening without undici\'s HTTP parser (the stub LLM dispatcher): the first ai-proxy request loads only that parser; --no-warm-up turns the warm-up off', async () => {
    const m = await freePort();
    const mock = execa(process.execPath, [bin, 'mock', '--listen', `127.0.0.1:${m}`], { cwd: root, reject: false });
    const file = join(dir, 'quickstart-mock.yaml');
    writeFileSync(file, readFileSync(join(root, 'examples', 'quickstart.yaml'), 'utf8').replaceAll('http://127.0.0.1:9000', `http://127.0.0.1:${m}`));
    /** The modules the first ai-proxy request loads, and serve's stderr. */
    const firstRequest = async (flags: string[]): Promise<{ loads: string[]; atStart: string[]; stderr: string }> => {
      const [p, a] = [await freePort(), await freePort()];
      const server = execa(process.execPath, ['--require', join(dir, 'trace.cjs'), bin, 'serve', file, '--listen', `127.0.0.1:${p}`, '--admin-listen', `127.0.0.1:${a}`, '--no-watch', '--log-format', 'json', ...flags], { cwd: root, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
      try {
        await waitFor(`http://127.0.0.1:${a}/status`);
        const atStart = await loaded(server.pid as number);
        const before = new Set(atStart);
        const chat = await request(`http://127.0.0.1:${p}/ai/chat`, { method: 'POST', headers: { apikey: 'demo-key', 'content-type': 'application/json' }, body: '{"messages":[{"role":"user","content":"hi"}]}' });
        expect(chat.status, chat.text).toBe(200);
        const loads = (await loaded(server.pid as number)).filter((f) => !before.has(f));
        server.kill('SIGTERM');
        const done = await server;
        expect(done.exitCode).toBe(0);
        return { loads, atStart, stderr: String(done.stderr) };
      } finally {
        server.kill('SIGTERM');
      }
    };
    try {
      await waitFor(`http://127.0.0.1:${m}/v1/models`);
      const warm = await firstRequest([]);
      expect(warm.stderr).toMatch(/"msg":"warmed up: ([1-9]\d*)\/\1 requests answered in \d+ ms"/);
      // the warm-up's LLM calls never reach a socket: undici's parser is compiled for the first real upstream, as without a warm-up
      expect(warm.atStart.filter((f) => f.includes('node_modules/undici/lib/llhttp/llhttp'))).toEqual([]);
      expect(warm.loads.map((f) => f.replace(/^.*node_modules\//, ''))).toEqual(['undici/lib/llhttp/llhttp_simd-wasm.js']);
      const cold = await firstRequest(['--no-warm-up']);
      expect(cold.stderr).not.toMatch(/warmed up/);
      expect(cold.loads.map((f) => f.replace(/^.*node_modules\//, ''))).toContain('undici/lib/llhttp/llhttp_simd-wasm.js');
    } finally {
      mock.kill('SIGTERM');
    }
  });

  it('uses none of ICU\'s locale services at start, in the warm-up or on its first ai-proxy request: a number formatted with toLocaleString when a module loaded touched ~5 MiB of ICU locale data (+6.6 MiB RSS at start)', async () => {
    // the spy sees a use: the check below can fail
    const probe = await execa(process.execPath, ['--require', intlSpy, '-e', "(2e6).toLocaleString('en-US'); 'a'.localeCompare('b')"], { reject: false });
    expect(probe.stderr).toMatch(/ICU_LOCALE_USE toLocaleString/);
    expect(probe.stderr).toMatch(/ICU_LOCALE_USE localeCompare/);

    const m = await freePort();
    const mock = execa(process.execPath, [bin, 'mock', '--listen', `127.0.0.1:${m}`], { cwd: root, reject: false });
    const file = join(dir, 'quickstart-icu.yaml');
    writeFileSync(file, readFileSync(join(root, 'examples', 'quickstart.yaml'), 'utf8').replaceAll('http://127.0.0.1:9000', `http://127.0.0.1:${m}`));
    const [p, a] = [await freePort(), await freePort()];
    const server = execa(process.execPath, ['--require', intlSpy, bin, 'serve', file, '--listen', `127.0.0.1:${p}`, '--admin-listen', `127.0.0.1:${a}`, '--no-watch', '--log-format', 'json'], { cwd: root, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
    try {
      await waitFor(`http://127.0.0.1:${m}/v1/models`);
      await waitFor(`http://127.0.0.1:${a}/status`);
      const chat = await request(`http://127.0.0.1:${p}/ai/chat`, { method: 'POST', headers: { apikey: 'demo-key', 'content-type': 'application/json' }, body: '{"messages":[{"role":"user","content":"hi"}]}' });
      expect(chat.status, chat.text).toBe(200);
    } finally {
      server.kill('SIGTERM');
      mock.kill('SIGTERM');
    }
    const done = await server;
    expect(done.exitCode).toBe(0);
    expect(String(done.stderr)).toMatch(/warmed up/);
    // each use with the first frames of its stack
    expect(String(done.stderr).split('ICU_LOCALE_USE ').slice(1).map((u) => u.split('\n').slice(0, 5).join('\n'))).toEqual([]);
  });
});
