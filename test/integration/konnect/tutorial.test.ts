/**
 * The Konnect tutorial's commands with `deck` replaced by `aigw`, run with the built CLI against the
 * local Konnect test server: sync, diff = no change, dump → diff = no change, one changed field = one
 * PUT, a Konnect validation error at file:line:col, a 429 storm survived with nothing lost, DECK_*
 * environment variables — and the token never printed or sent anywhere but the Authorization header.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKonnectServer, type KonnectServer } from '../../helpers/konnect-server.js';
import { KONG_AI, TOKEN } from './fixture.js';

const bin = join(__dirname, '..', '..', '..', 'dist', 'bin', 'aigw.js');
let dir: string;
let srv: KonnectServer;
const outputs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-tutorial-'));
  writeFileSync(join(dir, 'kong-ai.yaml'), KONG_AI);
  srv = await startKonnectServer({ tokens: [TOKEN], controlPlanes: [{ name: 'kong-ai-tutorial' }], konnectManagedFixtures: true });
});
afterAll(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function aigw(args: string[], env: Record<string, string> = {}) {
  const r = await execa(process.execPath, [bin, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', ...env }, extendEnv: false });
  outputs.push(r.stdout, r.stderr);
  return r;
}

const tutorial = (cmd: string, file = 'kong-ai.yaml') => ['gateway', cmd, file, '--konnect-token', TOKEN, '--konnect-control-plane-name', 'kong-ai-tutorial', '--konnect-addr', srv.url];
const writes = () => srv.requests.filter((r) => r.method !== 'GET');
const cp = () => srv.controlPlane('kong-ai-tutorial');

describe('the Konnect tutorial with aigw instead of deck (built CLI)', { timeout: 90_000 }, () => {
  it('gateway sync creates everything in the control plane, through core-entities with PUT only', async () => {
    const r = await aigw(tutorial('sync'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('creating service llm-service');
    expect(r.stdout).toMatch(/Created: 14/);
    const w = writes();
    expect(w.every((q) => q.path.startsWith(`/v2/control-planes/${cp().id}/core-entities/`))).toBe(true);
    expect(new Set(w.map((q) => q.method))).toEqual(new Set(['PUT', 'POST']));
    // the only POST is consumer-group membership, through its own endpoint
    expect(w.filter((q) => q.method === 'POST').map((q) => q.path.replace(/[0-9a-f-]{36}/g, ':id'))).toEqual([`/v2/control-planes/:id/core-entities/consumer_groups/:id/consumers`]);
    expect(srv.requests.some((q) => /\/config$|^\/$/.test(q.path) || q.method === 'PATCH')).toBe(false);
    // the control plane has what the file says, Konnect's defaults applied and its own entities untouched
    const routes = cp().entities('routes');
    expect(routes.find((x) => x.name === 'openai-chat')?.protocols).toEqual(['https']);
    expect(routes.some((x) => x.name === 'konnect-portal')).toBe(true);
    expect(cp().entities('targets').map((t) => t.target).sort()).toEqual(['10.0.0.1:8080', '10.0.0.2:8000']);
    const proxy = cp().entities('plugins').find((p) => p.name === 'ai-proxy');
    expect(proxy?.config).toMatchObject({ max_request_body_size: 1048576 });
    const group = cp().entities('consumer_groups')[0];
    const demo = cp().entities('consumers').find((c) => c.username === 'demo-app');
    expect(cp().members(group.id as string)).toEqual([demo?.id]);
  });

  it('gateway diff right after shows no change (Konnect defaults, konnect-managed entities left alone)', async () => {
    const r = await aigw([...tutorial('diff'), '--non-zero-exit-code']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Created: 0\n\s+Updated: 0\n\s+Deleted: 0/);
  });

  it('gateway dump → diff of the dump shows no change', async () => {
    const d = await aigw(['gateway', 'dump', '-o', 'dump.yaml', '--show-secrets', '--konnect-token', TOKEN, '--konnect-control-plane-name', 'kong-ai-tutorial', '--konnect-addr', srv.url]);
    expect(d.exitCode, d.stderr).toBe(0);
    const dumped = readFileSync(join(dir, 'dump.yaml'), 'utf8');
    expect(dumped).toContain('_konnect:\n  control_plane_name: kong-ai-tutorial');
    expect(dumped).not.toContain('konnect-portal');
    // the dump names its control plane: the token and address are enough
    const r = await aigw(['gateway', 'diff', 'dump.yaml', '--konnect-token', TOKEN, '--konnect-addr', srv.url, '--non-zero-exit-code']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  });

  it('one changed field is exactly one PUT', async () => {
    writeFileSync(join(dir, 'kong-ai.yaml'), KONG_AI.replace('minute: 60', 'minute: 30'));
    const d = await aigw([...tutorial('diff'), '--non-zero-exit-code']);
    expect(d.exitCode).toBe(2);
    expect(d.stdout).toContain('updating plugin rate-limiting for route openai-chat\n  - config.minute: 60\n  + config.minute: 30');
    srv.clearRequests();
    const r = await aigw(tutorial('sync'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(writes().map((q) => q.method)).toEqual(['PUT']);
    expect(writes()[0].path).toMatch(/\/core-entities\/plugins\/[0-9a-f-]{36}$/);
  });

  it("a field Konnect refuses is reported at the file's line and column, with Konnect's message", async () => {
    writeFileSync(join(dir, 'bad.yaml'), KONG_AI.replace('url: http://llm.internal:8080/v1', 'url: http://llm_backend.internal:8080/v1'));
    const r = await aigw(tutorial('sync', 'bad.yaml'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("bad.yaml:4:10  error    AIGW_KONNECT_VALIDATION  service llm-service: host: must be a valid hostname (Konnect: validation error)");
    expect(r.stderr).toMatch(/error: updating service llm-service failed: PUT \/services\/[0-9a-f-]{36}: HTTP 400: validation error/);
    expect(r.stderr).toContain('sync incomplete: 1 failed');
  });

  it('a 429 storm is survived: Retry-After honoured, nothing lost', async () => {
    writeFileSync(join(dir, 'many.yaml'), `${KONG_AI}${Array.from({ length: 40 }, (_, i) => `  - username: storm-${i}\n`).join('')}`);
    const before = srv.stats.rateLimited;
    const seen = srv.requests.length;
    const sync = aigw(tutorial('sync', 'many.yaml'));
    // the storm breaks once the sync is writing (however slowly the CLI starts on a loaded machine):
    // every request for 2.5 s answers 429, Retry-After 1
    const writing = Date.now();
    while (!srv.requests.slice(seen).some((q) => q.method === 'PUT' || q.method === 'POST') && Date.now() - writing < 60_000) await new Promise((r) => setTimeout(r, 5));
    srv.injectRateLimitStorm({ durationMs: 2500, retryAfterSeconds: 1 });
    const r = await sync;
    expect(r.exitCode, r.stderr).toBe(0);
    const limited = srv.stats.rateLimited - before;
    expect(limited).toBeGreaterThan(0);
    // the workers wait out Retry-After together: a few 429s per second of storm, not a retry loop per worker
    expect(limited).toBeLessThan(40);
    expect(r.stdout).toContain('Created: 40');
    const names = new Set(cp().entities('consumers').map((c) => c.username));
    for (let i = 0; i < 40; i++) expect(names.has(`storm-${i}`)).toBe(true);
    const again = await aigw([...tutorial('diff', 'many.yaml'), '--non-zero-exit-code']);
    expect(again.exitCode).toBe(0);
  });

  it('DECK_* (and AIGW_*) environment variables work like the flags', async () => {
    const env = { DECK_KONNECT_TOKEN: TOKEN, DECK_KONNECT_CONTROL_PLANE_NAME: 'kong-ai-tutorial', DECK_KONNECT_ADDR: srv.url };
    const r = await aigw(['gateway', 'diff', 'many.yaml', '--non-zero-exit-code'], env);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const aigwEnv = await aigw(['gateway', 'diff', 'many.yaml', '--non-zero-exit-code'], { AIGW_KONNECT_TOKEN: TOKEN, AIGW_KONNECT_CONTROL_PLANE_NAME: 'kong-ai-tutorial', AIGW_KONNECT_ADDR: srv.url });
    expect(aigwEnv.exitCode, aigwEnv.stdout + aigwEnv.stderr).toBe(0);
    // a wrong name from the environment is decK's error, not a silent default
    const wrong = await aigw(['gateway', 'diff', 'many.yaml'], { ...env, DECK_KONNECT_CONTROL_PLANE_NAME: 'nope' });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain('control plane not found: nope');
  });

  it('the token is never printed, logged (--verbose) or sent outside the Authorization header', async () => {
    const v = await aigw([...tutorial('diff', 'many.yaml'), '--verbose', '1']);
    expect(v.stderr).toMatch(/GET \/v2\/control-planes\?filter%5Bname%5D%5Beq%5D=kong-ai-tutorial&page%5Bsize%5D=10 200/);
    const bad = await aigw(['gateway', 'sync', 'kong-ai.yaml', '--konnect-token', 'kpat_WrongToken999', '--konnect-control-plane-name', 'kong-ai-tutorial', '--konnect-addr', srv.url]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('the Konnect token was rejected (HTTP 401)');
    expect(srv.leakedTokens(outputs.join('\n'))).toEqual([]);
    expect(outputs.join('\n')).not.toContain('kpat_WrongToken999');
    expect(srv.requestsLeakingToken()).toEqual([]);
  });
});
