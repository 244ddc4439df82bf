import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as sync } from '../../../src/commands/sync.js';
import { startKonnectServer, type KonnectServer } from '../../helpers/konnect-server.js';
import { KONG_AI, TOKEN } from './fixture.js';

let dir: string;
let srv: KonnectServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-konnect-'));
  writeFileSync(join(dir, 'kong-ai.yaml'), KONG_AI);
  srv = await startKonnectServer({ tokens: [TOKEN], controlPlanes: [{ name: 'kong-ai-tutorial' }, { name: 'kic', cluster_type: 'CLUSTER_TYPE_K8S_INGRESS_CONTROLLER' }] });
});
afterAll(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

const konnect = (extra: Record<string, unknown> = {}) => ({ konnectToken: TOKEN, konnectControlPlaneName: 'kong-ai-tutorial', konnectAddr: srv.url, retryBaseMs: 5, ...extra });

describe('sync to a Konnect control plane', () => {
  it('creates everything, then a diff shows no change', async () => {
    const io = bufferIo({ cwd: dir });
    const code = await sync.run({ args: ['kong-ai.yaml'], opts: konnect() }, io);
    expect(code, io.stderr()).toBe(0);
    expect(io.stdout()).toContain('Created:');
    const d = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['kong-ai.yaml'], opts: konnect({ nonZeroExitCode: true }) }, d), d.stdout() + d.stderr()).toBe(0);
  });
});
