/**
 * Konnect as a target, in process against the local Konnect test server: control-plane rules,
 * refusals before any write, konnect-managed entities, memberships, certificates and SNIs, ping,
 * reset, apply, online validation and `sync --wait`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as apply } from '../../../src/commands/apply.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as validate } from '../../../src/commands/gateway-validate.js';
import { command as offlineValidate } from '../../../src/commands/validate.js';
import { command as ping } from '../../../src/commands/ping.js';
import { command as reset } from '../../../src/commands/reset.js';
import { command as sync } from '../../../src/commands/sync.js';
import type { Command } from '../../../src/commands/types.js';
import { startKonnectServer, type KonnectServer } from '../../helpers/konnect-server.js';
import { KONG_AI, TOKEN } from './fixture.js';

let dir: string;
let srv: KonnectServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-konnect-'));
  srv = await startKonnectServer({
    tokens: [TOKEN],
    organization: { name: 'ACME AI' },
    konnectManagedFixtures: true,
    controlPlanes: [
      { name: 'kong-ai-tutorial' },
      { name: 'scratch' },
      { name: 'shorthands' },
      { name: 'partials' },
      { name: 'newer-fields' },
      { name: 'slow-dp', dataPlanes: [{ hostname: 'dp-fast' }, { hostname: 'dp-stuck', delayMs: Infinity }] },
      { name: 'kic', cluster_type: 'CLUSTER_TYPE_K8S_INGRESS_CONTROLLER' },
      { name: 'group', cluster_type: 'CLUSTER_TYPE_CONTROL_PLANE_GROUP' },
    ],
  });
});
afterAll(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => srv.clearRequests());

const file = (name: string, text: string) => writeFileSync(join(dir, name), text);
const konnect = (cp: string, extra: Record<string, unknown> = {}) => ({ konnectToken: TOKEN, konnectControlPlaneName: cp, konnectAddr: srv.url, retryBaseMs: 5, ...extra });
async function run(cmd: Command, args: string[], opts: Record<string, unknown>) {
  const io = bufferIo({ cwd: dir, confirm: false });
  const code = await cmd.run({ args, opts }, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
const writes = () => srv.requests.filter((r) => r.method !== 'GET');

describe('choosing the control plane', () => {
  it('refuses KIC-managed control planes and groups before reading or writing anything', async () => {
    file('kong-ai.yaml', KONG_AI);
    await expect(run(sync, ['kong-ai.yaml'], konnect('kic'))).rejects.toThrow(/managed by the Kong Ingress Controller \(CLUSTER_TYPE_K8S_INGRESS_CONTROLLER\)/);
    await expect(run(sync, ['kong-ai.yaml'], konnect('group'))).rejects.toThrow(/is a control plane group .* sync one of its member control planes/);
    expect(srv.requests.filter((r) => r.path.includes('core-entities'))).toEqual([]);
  });

  it("decK's errors: unknown name, flag and file disagreeing, both names in the file", async () => {
    await expect(run(diff, ['kong-ai.yaml'], konnect('missing'))).rejects.toThrow('control plane not found: missing');
    file('named.yaml', `_konnect:\n  control_plane_name: kong-ai-tutorial\n${KONG_AI}`);
    await expect(run(diff, ['named.yaml'], konnect('scratch'))).rejects.toThrow(
      "warning: control plane 'scratch' specified via --konnect-[control-plane|runtime-group]-name flag is different from 'kong-ai-tutorial' found in state file(s)",
    );
    file('both.yaml', `_konnect:\n  control_plane_name: a\n  runtime_group_name: b\n${KONG_AI}`);
    await expect(run(diff, ['both.yaml'], { konnectToken: TOKEN, konnectAddr: srv.url })).rejects.toThrow('cannot set both runtime_group_name and control_plane_name. Please use only control_plane_name');
  });

  it('a _konnect block selects Konnect even without flags; the token must still be given', async () => {
    await expect(run(diff, ['named.yaml'], { konnectAddr: srv.url })).rejects.toMatchObject({ code: 'AIGW_KONNECT_AUTH' });
  });
});

describe('refused before any write', () => {
  it('plugins and strategies Konnect does not offer, each at file:line:col, and nothing sent', async () => {
    file('unsupported.yaml', `_format_version: "3.0"
plugins:
  - name: oauth2
    config: { scopes: [a] }
  - name: rate-limiting
    config: { minute: 5, policy: cluster }
  - name: key-auth-enc
`);
    const r = await run(sync, ['unsupported.yaml'], konnect('scratch'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('unsupported.yaml:3:11  error    AIGW_KONNECT_UNSUPPORTED  [oauth2] plugin is not compatible with Konnect');
    expect(r.err).toContain("unsupported.yaml:6:34  error    AIGW_KONNECT_UNSUPPORTED  [rate-limiting] plugin can't be used with cluster strategy");
    expect(r.err).toContain('unsupported.yaml:7:11  error    AIGW_KONNECT_UNSUPPORTED  [key-auth-enc] keys are automatically encrypted in Konnect, use the key auth plugin instead');
    expect(srv.requests).toEqual([]);
  });

  it('offline: validate --konnect-compatibility reports the same refusals without a token; plain validate does not', async () => {
    file('unsupported.yaml', '_format_version: "3.0"\nplugins:\n  - name: oauth2\n    config: { scopes: [a] }\n  - name: rate-limiting\n    config: { minute: 5, policy: cluster }\n');
    const r = await run(offlineValidate, ['unsupported.yaml'], { target: 'aigw', konnectCompatibility: true });
    expect(r.code).toBe(1);
    expect(r.out).toContain('unsupported.yaml:3:11  error    AIGW_KONNECT_UNSUPPORTED  [oauth2] plugin is not compatible with Konnect');
    expect(r.out).toContain("unsupported.yaml:6:34  error    AIGW_KONNECT_UNSUPPORTED  [rate-limiting] plugin can't be used with cluster strategy");
    const plain = await run(offlineValidate, ['unsupported.yaml'], { target: 'aigw' });
    expect(plain.out + plain.err).not.toContain('AIGW_KONNECT_UNSUPPORTED');
  });

  it('a plugin the control plane has no schema for is refused after reading, before writing', async () => {
    file('custom.yaml', `_format_version: "3.0"\nservices:\n  - name: svc\n    url: http://svc.internal\n    plugins:\n      - name: my-custom-plugin\n        config: {}\n`);
    const r = await run(sync, ['custom.yaml'], konnect('scratch'));
    expect(r.code).toBe(1);
    expect(r.err).toContain("custom.yaml:6:15  error    AIGW_KONNECT_UNSUPPORTED  plugin 'my-custom-plugin' is not available on this Konnect control plane (no plugin-schema for 'my-custom-plugin')");
    expect(writes()).toEqual([]);
  });

  it('a _workspace Konnect does not have is "checking if workspace exists", as decK says', async () => {
    file('ws.yaml', `_format_version: "3.0"\n_workspace: team-a\nservices:\n  - name: svc\n    url: http://svc.internal\n`);
    await expect(run(diff, ['ws.yaml'], konnect('scratch'))).rejects.toThrow(/checking if workspace exists: workspace 'team-a' does not exist on Konnect control plane 'scratch'/);
  });
});

describe('sync, reset and apply against a control plane', () => {
  it("leaves konnect-managed entities alone, manages membership through its endpoint, PUTs certificates without their SNIs", async () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----';
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEtest\n-----END PRIVATE KEY-----';
    file('certs.yaml', `${KONG_AI}certificates:\n  - cert: |\n      ${cert.split('\n').join('\n      ')}\n    key: |\n      ${key.split('\n').join('\n      ')}\n    snis:\n      - name: ai.example.com\n`);
    const r = await run(sync, ['certs.yaml'], konnect('kong-ai-tutorial'));
    expect(r.code, r.err).toBe(0);
    const certPut = writes().find((w) => /\/certificates\/[0-9a-f-]{36}$/.test(w.path));
    expect(JSON.parse(certPut?.body ?? '{}')).not.toHaveProperty('snis');
    expect(writes().some((w) => /\/certificates\/[0-9a-f-]{36}\/snis\/[0-9a-f-]{36}$/.test(w.path) && w.method === 'PUT')).toBe(true);
    const cp = srv.controlPlane('kong-ai-tutorial');
    expect(cp.entities('snis').map((s) => s.name)).toEqual(['ai.example.com']);
    // Konnect's own entities survive and never appear in a diff
    expect(cp.entities('services').map((s) => s.name).sort()).toEqual(['konnect-portal', 'llm-service']);
    const d = await run(diff, ['certs.yaml'], konnect('kong-ai-tutorial', { nonZeroExitCode: true }));
    expect(d.code, d.out).toBe(0);
    expect(d.out).not.toContain('konnect');
    // a membership already in place (an interrupted run) is success
    const again = await run(sync, ['certs.yaml'], konnect('kong-ai-tutorial'));
    expect(again.code).toBe(0);
  });

  it('apply creates and updates, never deletes', async () => {
    file('extra.yaml', `_format_version: "3.0"\nconsumers:\n  - username: from-apply\n`);
    const r = await run(apply, ['extra.yaml'], konnect('kong-ai-tutorial'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Created: 1');
    expect(writes().map((w) => w.method)).toEqual(['PUT']);
    expect(srv.controlPlane('kong-ai-tutorial').entities('services').length).toBe(2);
  });

  it("apply: a file naming the control plane's entities resolves them there and writes only its own; a name found nowhere is an error", async () => {
    file('eve.yaml', `_format_version: "3.0"\nconsumers:\n  - username: eve\n    tags: [team-e]\n`);
    expect((await run(apply, ['eve.yaml'], konnect('scratch'))).code).toBe(0);
    const cp = srv.controlPlane('scratch');
    const eve = cp.entities('consumers').find((c) => c.username === 'eve');
    file('eve-plugin.yaml', `_format_version: "3.0"\nplugins:\n  - name: request-termination\n    consumer: eve\n    config: { status_code: 418 }\n`);
    srv.clearRequests();
    const r = await run(apply, ['eve-plugin.yaml'], konnect('scratch'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('creating plugin request-termination for consumer eve');
    expect(writes()).toHaveLength(1);
    expect(writes()[0].path).toMatch(/\/plugins\/[0-9a-f-]{36}$/);
    expect(cp.entities('plugins').find((p) => p.name === 'request-termination')).toMatchObject({ consumer: { id: eve?.id } });
    expect(cp.entities('consumers').find((c) => c.username === 'eve')).toEqual(eve);
    file('ghost-plugin.yaml', `_format_version: "3.0"\nplugins:\n  - name: cors\n    consumer: ghost\n`);
    srv.clearRequests();
    const missing = await run(apply, ['ghost-plugin.yaml'], konnect('scratch'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("ghost-plugin.yaml:4:15  error    AIGW_REFERENCE  consumer 'ghost' referenced by plugin 'cors' (field 'consumer') does not exist, neither in the files nor among the target's consumers");
    expect(writes()).toEqual([]);
  });

  it("a plugin written with Kong's deprecated shorthands (redis_host…) syncs, then diffs as no change", async () => {
    file('shorthands.yaml', [
      '_format_version: "3.0"',
      'services:',
      '  - name: limited',
      '    url: http://upstream.internal',
      '    plugins:',
      '      - name: rate-limiting',
      '        config: { minute: 10, policy: redis, redis_host: redis.internal, redis_port: 6380, redis_timeout: 1500 }',
      '',
    ].join('\n'));
    const r = await run(sync, ['shorthands.yaml'], konnect('shorthands'));
    expect(r.code, r.err).toBe(0);
    const stored = srv.controlPlane('shorthands').entities('plugins').find((p) => p.name === 'rate-limiting');
    expect(stored?.config).toMatchObject({ redis: { host: 'redis.internal', port: 6380, timeout: 1500 } });
    const d = await run(diff, ['shorthands.yaml'], konnect('shorthands', { nonZeroExitCode: true }));
    expect(d.code, d.out + d.err).toBe(0);
    expect(d.out).toMatch(/Created: 0\n\s+Updated: 0\n\s+Deleted: 0/);
  });

  it('a file using fields newer than the default profile (Kong 3.15 key-auth principals) syncs to Konnect, then diffs as no change', async () => {
    file('newer.yaml', [
      '_format_version: "3.0"',
      '_konnect: { control_plane_name: newer-fields }',
      'services:',
      '  - name: keyed',
      '    url: http://upstream.internal',
      '    plugins:',
      '      - name: key-auth',
      '        config: { principals: { enabled: false, directory: default, error_on_miss: true } }',
      '',
    ].join('\n'));
    const { konnectControlPlaneName: _cp, ...flags } = konnect('newer-fields');
    const r = await run(sync, ['newer.yaml'], flags);
    expect(r.code, r.err).toBe(0);
    expect(srv.controlPlane('newer-fields').entities('plugins').find((p) => p.name === 'key-auth')?.config).toMatchObject({ principals: { enabled: false } });
    const d = await run(diff, ['newer.yaml'], { ...flags, nonZeroExitCode: true });
    expect(d.code, d.out + d.err).toBe(0);
  });

  it('Kong 3.15 fields Konnect serves (key-auth identity_realms, rate-limiting-advanced counter_key, an optional record left null) sync, dump and diff as no change', async () => {
    file('newer315.yaml', [
      '_format_version: "3.0"',
      '_konnect: { control_plane_name: newer-fields }',
      'services:',
      '  - name: realms',
      '    url: http://upstream.internal',
      '    plugins:',
      '      - name: key-auth',
      '        config: { identity_realms: [{ id: null, region: null, scope: cp }] }',
      '      - name: rate-limiting-advanced',
      '        config:',
      '          limit: [5]',
      '          window_size: [60]',
      '          counter_key: consumer.username',
      '          throttling: null',
      '          redis: { cloud_authentication: null }',
      '',
    ].join('\n'));
    const { konnectControlPlaneName: _cp, ...flags } = konnect('newer-fields');
    const r = await run(sync, ['newer315.yaml'], flags);
    expect(r.code, r.err).toBe(0);
    const stored = srv.controlPlane('newer-fields').entities('plugins');
    expect(stored.find((p) => p.name === 'rate-limiting-advanced')?.config).toMatchObject({ counter_key: 'consumer.username', throttling: null, redis: { cloud_authentication: null } });
    expect(stored.find((p) => p.name === 'key-auth')?.config).toMatchObject({ identity_realms: [{ scope: 'cp' }] });
    expect((await run(diff, ['newer315.yaml'], { ...flags, nonZeroExitCode: true })).code).toBe(0);
    // the dump leaves the null records out; read back, they are still no change
    const r2 = await run(dump, [], { ...konnect('newer-fields'), outputFile: join(dir, 'newer315.dump.yaml'), yes: true });
    expect(r2.code, r2.err).toBe(0);
    const d = await run(diff, ['newer315.dump.yaml'], { ...konnect('newer-fields'), nonZeroExitCode: true });
    expect(d.code, d.out + d.err).toBe(0);
  });

  it("a plugin whose redis settings come from a redis-ee partial passes Konnect's strategy check, then diffs as no change", async () => {
    file('partial.yaml', [
      '_format_version: "3.0"',
      'partials:',
      '  - name: shared-redis',
      '    type: redis-ee',
      '    config: { host: redis.internal, port: 6380 }',
      'plugins:',
      '  - name: rate-limiting-advanced',
      '    config: { limit: [5], window_size: [30], strategy: redis, sync_rate: 1 }',
      '    partials:',
      '      - name: shared-redis',
      '        path: config.redis',
      '',
    ].join('\n'));
    const r = await run(sync, ['partial.yaml'], konnect('partials'));
    expect(r.code, r.err).toBe(0);
    const stored = srv.controlPlane('partials').entities('plugins').find((p) => p.name === 'rate-limiting-advanced');
    expect(stored?.partials).toEqual([expect.objectContaining({ path: 'config.redis' })]);
    const d = await run(diff, ['partial.yaml'], konnect('partials', { nonZeroExitCode: true }));
    expect(d.code, d.out + d.err).toBe(0);
  });

  it('reset deletes everything but konnect-managed entities, only with --force', async () => {
    const refused = await run(reset, [], konnect('kong-ai-tutorial'));
    expect(refused.code).toBe(1);
    expect(writes()).toEqual([]);
    const r = await run(reset, [], konnect('kong-ai-tutorial', { force: true }));
    expect(r.code, r.err).toBe(0);
    const cp = srv.controlPlane('kong-ai-tutorial');
    expect(cp.entities('services').map((s) => s.name)).toEqual(['konnect-portal']);
    expect(cp.entities('plugins').map((p) => p.name)).toEqual(['konnect-application-auth']);
    expect(writes().every((w) => w.method === 'DELETE')).toBe(true);
  });
});

describe('ping, online validation, --wait', () => {
  it("ping names the organization and the control plane, as decK does", async () => {
    const r = await run(ping, [], konnect('kong-ai-tutorial'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('Successfully Konnected to the ACME AI organization!');
    expect(r.out).toMatch(/Control plane: kong-ai-tutorial \([0-9a-f-]{36}, CLUSTER_TYPE_CONTROL_PLANE\)/);
    const kic = await run(ping, [], konnect('kic'));
    expect(kic.err).toContain('managed by the Kong Ingress Controller');
  });

  it('gateway validate asks Konnect about each entity and points at the failing field', async () => {
    file('v.yaml', `_format_version: "3.0"
services:
  - name: ok-svc
    url: http://ok.internal
  - name: bad-svc
    host: bad_host.internal
    routes:
      - name: r
        paths: [/r]
        tags: [ok, ${'t'.repeat(150)}]
`);
    const r = await run(validate, ['v.yaml'], konnect('scratch'));
    expect(r.code).toBe(1);
    expect(r.out).toContain('v.yaml:6:11  error    AIGW_KONNECT_VALIDATION  service bad-svc: host: must be a valid hostname (Konnect: validation error)');
    expect(r.out).toContain('v.yaml:10:20  error    AIGW_KONNECT_VALIDATION  route r for service bad-svc: tags[1]: length must be <= 128, but got 150 (Konnect: validation error)');
    expect(writes().every((w) => w.path.endsWith('/validate'))).toBe(true);
    expect(srv.controlPlane('scratch').entities('services').map((s) => s.name)).toEqual(['konnect-portal']);
  });

  it("gateway validate and validate --konnect-compatibility refuse a Kong 2.x format version for Konnect, with decK's message", async () => {
    file('old.yaml', '_format_version: "1.1"\nservices:\n  - name: old-svc\n    url: http://ok.internal\n');
    const r = await run(validate, ['old.yaml'], konnect('scratch'));
    expect(r.code).toBe(1);
    expect(r.out).toContain("old.yaml:1:18  error    AIGW_KONNECT_UNSUPPORTED  [version] decK file version must be '3.0' or greater");
    const offline = await run(offlineValidate, ['old.yaml'], { konnectCompatibility: true, target: 'aigw' });
    expect(offline.code).toBe(1);
    expect(offline.out).toContain("old.yaml:1:18  error    AIGW_KONNECT_UNSUPPORTED  [version] decK file version must be '3.0' or greater");
    expect(offline.out).not.toContain('warning');
  });

  it('sync --wait returns once the data planes report the new hash, and names a laggard on timeout', async () => {
    file('small.yaml', `_format_version: "3.0"\nconsumers:\n  - username: waiter\n`);
    const ok = await run(sync, ['small.yaml'], konnect('scratch', { wait: true, waitTimeout: '5', waitPollMs: 20 }));
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err).toMatch(/✔ 2 data planes of 'scratch' run configuration [0-9a-f]{32}/);
    const stuck = await run(sync, ['small.yaml'], konnect('slow-dp', { wait: true, waitTimeout: '0.3', waitPollMs: 20 }));
    expect(stuck.code).toBe(1);
    expect(stuck.err).toMatch(/AIGW_KONNECT_WAIT_TIMEOUT: after \d+ s, 1 of 2 data planes of 'slow-dp' do not run configuration [0-9a-f]{32}:/);
    expect(stuck.err).toMatch(/ {2}dp-stuck {2}version 3\.14\.0\.0 {2}config_hash [0-9a-f]{32} {2}last ping \d+ s ago/);
    expect(stuck.err).not.toContain('dp-fast');
  });
});
