/** keyauth_credentials `ttl`: when a key expires (consumers.ts keyExpiry). */
import { describe, expect, it } from 'vitest';
import { compileConsumers } from '../../../src/gateway/consumers.js';
import { stateFrom } from '../../helpers/gateway.js';

const file = (ttl: string) => `_format_version: "3.0"\nconsumers:\n- username: alice\n  keyauth_credentials:\n  - { key: k1${ttl} }\n  - { key: k2, ttl: 0 }\n`;

describe('key expiry', () => {
  it('counts from the load in declarative mode; an unchanged key keeps its expiry over a reload; ttl 0 never expires', async () => {
    const state = await stateFrom(file(', ttl: 10'));
    const first = compileConsumers(state, { now: 1_000_000, fromCreation: false });
    expect(first.keyAuth.get('k1')).toMatchObject({ ttl: 10, expiresAt: 1_010_000 });
    expect(first.keyAuth.get('k2')).toMatchObject({ ttl: null, expiresAt: null });
    const reloaded = compileConsumers(await stateFrom(file(', ttl: 10')), { now: 1_005_000, fromCreation: false, previous: first });
    expect(reloaded.keyAuth.get('k1')?.expiresAt).toBe(1_010_000);
    // a changed ttl counts again from this load
    const changed = compileConsumers(await stateFrom(file(', ttl: 20')), { now: 1_005_000, fromCreation: false, previous: first });
    expect(changed.keyAuth.get('k1')?.expiresAt).toBe(1_025_000);
  });

  it('counts from created_at in database mode, as Kong does', async () => {
    const state = await stateFrom(file(', ttl: 10, created_at: 1700000000'));
    expect(compileConsumers(state, { now: 1_800_000_000_000, fromCreation: true }).keyAuth.get('k1')?.expiresAt).toBe(1_700_000_010_000);
  });
});
