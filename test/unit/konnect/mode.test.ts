import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controlPlaneName, inKonnectMode, konnectAddress, konnectToken } from '../../../src/commands/deck/mode.js';
import { globalAddress } from '../../../src/kong/konnect/control-planes.js';

const dir = mkdtempSync(join(tmpdir(), 'aigw-mode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Kong or Konnect: decK's inKonnectMode, in its order", () => {
  const base = { fileKonnect: false, kongAddr: 'http://localhost:8001', konnectToken: undefined, konnectAddrSet: false };
  it.each([
    ['nothing set', {}, false],
    ['a _konnect block', { fileKonnect: true }, true],
    ['a _konnect block wins over --kong-addr', { fileKonnect: true, kongAddr: 'http://kong:8001' }, true],
    ['a token', { konnectToken: 'kpat_x' }, true],
    ['--kong-addr set wins over a token', { kongAddr: 'http://kong:8001', konnectToken: 'kpat_x' }, false],
    ['--konnect-addr set', { konnectAddrSet: true }, true],
    ['--kong-addr set wins over --konnect-addr', { kongAddr: 'http://kong:8001', konnectAddrSet: true }, false],
  ])('%s', (_name, input, konnect) => {
    expect(inKonnectMode({ ...base, ...input })).toBe(konnect);
  });
});

describe('control plane name', () => {
  it('file, else flag, else default; deprecated runtime group names count', () => {
    expect(controlPlaneName(null, undefined, undefined)).toBe('default');
    expect(controlPlaneName(null, 'cli', undefined)).toBe('cli');
    expect(controlPlaneName(null, undefined, 'rg')).toBe('rg');
    expect(controlPlaneName({ control_plane_name: 'file' }, undefined, undefined)).toBe('file');
    expect(controlPlaneName({ runtime_group_name: 'rg-file' }, undefined, undefined)).toBe('rg-file');
    expect(controlPlaneName({ control_plane_name: 'same' }, 'same', undefined)).toBe('same');
    expect(controlPlaneName({}, undefined, undefined)).toBe('default');
  });

  it("decK's errors", () => {
    expect(() => controlPlaneName({ control_plane_name: 'a', runtime_group_name: 'b' }, undefined, undefined)).toThrow('cannot set both runtime_group_name and control_plane_name. Please use only control_plane_name');
    expect(() => controlPlaneName({ control_plane_name: 'a' }, 'b', undefined)).toThrow("warning: control plane 'b' specified via --konnect-[control-plane|runtime-group]-name flag is different from 'a' found in state file(s)");
    // an empty _konnect block and a flag disagree too, as in decK
    expect(() => controlPlaneName({}, 'b', undefined)).toThrow("different from '' found in state file(s)");
    expect(() => controlPlaneName(null, 'a', 'b')).toThrow(/konnect-runtime-group-name konnect-control-plane-name/);
  });
});

describe('token', () => {
  const cli = (...keys: string[]) => (k: string) => keys.includes(k);
  it('flag wins; else the file, trailing newlines trimmed; empty file and both flags are errors', () => {
    writeFileSync(join(dir, 'token'), 'kpat_FromFile\n\n');
    writeFileSync(join(dir, 'empty'), '');
    expect(konnectToken({ konnectToken: 'kpat_flag' }, cli('konnectToken'), dir)).toBe('kpat_flag');
    expect(konnectToken({ konnectTokenFile: 'token' }, cli('konnectTokenFile'), dir)).toBe('kpat_FromFile');
    // the env token and the file flag: the token wins, as decK reads the file only without one
    expect(konnectToken({ konnectToken: 'kpat_env', konnectTokenFile: 'token' }, cli('konnectTokenFile'), dir)).toBe('kpat_env');
    expect(() => konnectToken({ konnectTokenFile: 'empty' }, cli('konnectTokenFile'), dir)).toThrow('file "empty": empty');
    expect(() => konnectToken({ konnectTokenFile: 'missing' }, cli('konnectTokenFile'), dir)).toThrow('read file "missing": no such file or directory');
    expect(() => konnectToken({ konnectToken: 'a', konnectTokenFile: 'token' }, cli('konnectToken', 'konnectTokenFile'), dir)).toThrow(/\[konnect-token konnect-token-file\] were all set/);
    expect(konnectToken({}, cli(), dir)).toBeUndefined();
  });
});

describe('addresses', () => {
  it('regional API → global API for the organization; anything else is its own', () => {
    expect(globalAddress('https://eu.api.konghq.com')).toBe('https://global.api.konghq.com');
    expect(globalAddress('https://us.svc.konghq.com')).toBe('https://global.svc.konghq.com');
    expect(globalAddress('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000');
    expect(konnectAddress('https://au.api.konghq.com/')).toBe('https://au.api.konghq.com');
    expect(() => konnectAddress('eu')).toThrow(/not an http\(s\) URL: eu \(regions: https:\/\/us.api.konghq.com, https:\/\/eu.api.konghq.com/);
  });
});
