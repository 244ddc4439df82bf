/**
 * decK's command line on the built CLI: the `gateway` and `file` namespaces, the short commands,
 * decK's flag names, DECK_<FLAG> / AIGW_<FLAG> for every flag, and --help saying where aigw differs.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin, type Running } from '../admin-api/serve.js';

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'dist', 'bin', 'aigw.js');
const aigw = (args: string[], env: Record<string, string> = {}) => execa(process.execPath, [bin, ...args], { cwd: root, reject: false, env: { NO_COLOR: '1', ...env }, extendEnv: false });

let s: Running;
beforeAll(async () => {
  s = await startAdmin({ token: 'adm1n' });
});
afterAll(() => s.close());

describe("decK's command line", { timeout: 60_000 }, () => {
  it('lists the gateway and file commands', async () => {
    const g = await aigw(['gateway', '--help']);
    for (const c of ['sync', 'diff', 'dump', 'ping', 'reset', 'validate', 'apply']) expect(g.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
    const f = await aigw(['file', '--help']);
    for (const c of ['validate', 'render', 'convert', 'merge', 'patch', 'add-tags', 'remove-tags', 'list-tags', 'add-plugins', 'namespace']) expect(f.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
  });

  it("--help names decK's flags with their env variables and says where aigw differs on purpose", async () => {
    const h = await aigw(['gateway', 'sync', '--help']);
    for (const flag of ['--kong-addr', '--headers', '--kong-admin-token', '--konnect-token', '--konnect-token-file', '--konnect-addr', '--konnect-control-plane-name', '--json-output', '--select-tag', '--skip-consumers', '-w, --workspace', '--parallelism', '--wait']) expect(h.stdout).toContain(flag);
    expect(h.stdout).toContain('(env AIGW_KONNECT_TOKEN, DECK_KONNECT_TOKEN)');
    expect(h.stdout).toMatch(/Differences from decK, on purpose: secrets .* are masked/);
    expect((await aigw(['gateway', 'dump', '--help'])).stdout).toMatch(/secrets are written as \[masked\] unless --show-secrets/);
  });

  it('DECK_KONG_ADDR, DECK_KONG_ADMIN_TOKEN and DECK_HEADERS drive the Kong connection; flags win', async () => {
    const env = { DECK_KONG_ADDR: s.url, DECK_KONG_ADMIN_TOKEN: 'adm1n', DECK_HEADERS: 'x-team:ai' };
    const r = await aigw(['gateway', 'ping'], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Successfully connected to the Admin API!');
    expect(s.requests.length).toBeGreaterThan(0);
    const flagWins = await aigw(['gateway', 'ping', '--kong-admin-token', 'wrong'], env);
    expect(flagWins.exitCode).toBe(1);
    expect(flagWins.stderr).toContain('401');
    const aigwEnv = await aigw(['ping'], { AIGW_KONG_ADDR: s.url, AIGW_KONG_ADMIN_TOKEN: 'adm1n' });
    expect(aigwEnv.exitCode, aigwEnv.stderr).toBe(0);
  });

  it('the short commands stay, and take the Konnect flags too (no more "unknown option")', async () => {
    const r = await aigw(['sync', 'examples/quickstart.yaml', '--konnect-token', 'kpat_x', '--konnect-addr', 'http://127.0.0.1:9']);
    expect(r.stderr).not.toContain('unknown option');
    expect(r.stderr).toContain('AIGW_CONNECT');
    expect(r.stderr).not.toContain('kpat_x');
  });
});
