/**
 * `aigw gateway validate` (online) against a Kong Admin API (here aigw serve's) with a Kong 2.x
 * `_format_version`: decK's `deck gateway validate` refuses no format version
 * (cmd/gateway_validate.go; its integration test "validate format version 1.1" passes against Kong):
 * the entities are validated as written by the gateway, with the same warning `aigw validate` gives.
 * Konnect refuses such a file (tested with the Konnect commands).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as validate } from '../../../src/commands/gateway-validate.js';
import { startServeDb, type RunningServe } from '../../helpers/serve-db.js';

const FILE_1_1 = `_format_version: "1.1"
services:
- name: svc1
  host: 127.0.0.1
  port: 9
  routes:
  - name: r1
    https_redirect_status_code: 301
    paths: [/r1]
`;

describe('aigw gateway validate with _format_version 1.1', () => {
  let gw: RunningServe;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-gateway-validate-'));

  beforeAll(async () => {
    gw = await startServeDb(join(dir, 'gw.db'));
  });
  afterAll(async () => {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates the entities online, as decK does, with a warning about the version', async () => {
    writeFileSync(join(dir, 'kong.yaml'), FILE_1_1);
    const io = bufferIo({ cwd: dir, env: {} });
    const code = await validate.run({ args: ['kong.yaml'], opts: { kongAddr: gw.admin } }, io);
    expect(code, io.stdout() + io.stderr()).toBe(0);
    expect(io.stderr()).toContain("kong.yaml:1:18  warning  AIGW_FORMAT_VERSION  '1.1' is a Kong 2.x config format version: its entities are validated as written, but sync and diff refuse it");
    expect(io.stderr()).toContain(`✔ 2 entities valid on the Admin API at ${gw.admin}`);
  });

  it("checks such a file's entities with Kong 3.x's rules all the same (here before connecting)", async () => {
    writeFileSync(join(dir, 'bad.yaml'), FILE_1_1.replace('  routes:', '  routes:\n  - name: pg\n    protocols: [tcp]\n    paths: [/pg]'));
    const io = bufferIo({ cwd: dir, env: {} });
    const code = await validate.run({ args: ['bad.yaml'], opts: { kongAddr: gw.admin } }, io);
    expect(code).toBe(1);
    expect(io.stderr()).toContain("cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'");
  });
});
