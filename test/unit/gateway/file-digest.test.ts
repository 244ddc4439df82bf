/** filesDigest: the digest of state files that spares an unchanged file a reload, hashed in pieces. */
import { createHash, type Hash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { filesDigest } from '../../../src/gateway/file-digest.js';

const dir = mkdtempSync(join(tmpdir(), 'aigw-digest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('filesDigest', () => {
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'services: []\n');
  writeFileSync(join(dir, 'a.yaml'), big);
  writeFileSync(join(dir, 'b.yaml'), 'routes: []\n');

  it('is SHA-256 over each path and its bytes, and changes with either', async () => {
    const expected = createHash('sha256').update(`${join(dir, 'a.yaml')}\0`).update(big).update('\0').update(`${join(dir, 'b.yaml')}\0`).update('routes: []\n').update('\0').digest('hex');
    expect(await filesDigest(['a.yaml', 'b.yaml'], dir)).toBe(expected);
    expect(await filesDigest(['b.yaml', 'a.yaml'], dir)).not.toBe(expected);
  });

  it('is null for stdin, a directory or a missing file (those always reload)', async () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    expect(await filesDigest(['-'], dir)).toBeNull();
    expect(await filesDigest(['sub'], dir)).toBeNull();
    expect(await filesDigest(['missing.yaml'], dir)).toBeNull();
  });

  it('hashes a large file 64 KiB at a time, never in one synchronous step on the proxy thread', async () => {
    const proto = Object.getPrototypeOf(createHash('sha256')) as Hash;
    const calls = vi.spyOn(proto, 'update');
    try {
      await filesDigest(['a.yaml'], dir);
      const lengths = calls.mock.calls.map(([d]) => (typeof d === 'string' ? d.length : (d as Buffer).length));
      expect(Math.max(...lengths)).toBeLessThanOrEqual(64 * 1024);
      expect(lengths.reduce((a, b) => a + b, 0)).toBeGreaterThan(big.length);
    } finally {
      calls.mockRestore();
    }
  });
});
