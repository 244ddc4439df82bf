import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInputs } from '../../../src/config/load.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'aigw-dir-'));
  dirs.push(d);
  return d;
}

const read = (dir: string) => readInputs([dir], { cwd: dir, env: {}, readStdin: async () => '' });

describe('state directories', () => {
  it('reads a mounted ConfigMap once: its key symlinks, not the atomic writer internals', async () => {
    // The layout kubelet writes: ..2026_12_02_07_00_00.1/{a,b}.yaml, ..data -> that dir, a.yaml -> ..data/a.yaml
    const root = tmp();
    const stamp = '..2026_12_02_07_00_00.123';
    mkdirSync(join(root, stamp));
    writeFileSync(join(root, stamp, 'a.yaml'), 'services: [{name: a, url: http://a.test}]\n');
    writeFileSync(join(root, stamp, 'b.yaml'), 'services: [{name: b, url: http://b.test}]\n');
    symlinkSync(stamp, join(root, '..data'));
    symlinkSync(join('..data', 'a.yaml'), join(root, 'a.yaml'));
    symlinkSync(join('..data', 'b.yaml'), join(root, 'b.yaml'));
    const { files, issues } = await read(root);
    expect(issues).toEqual([]);
    expect(files.map((f) => f.name)).toEqual(['a.yaml', 'b.yaml']);
  });

  it('follows a symlink to a file, skips a dangling one and never follows a symlinked directory', async () => {
    const root = tmp();
    const other = tmp();
    writeFileSync(join(other, 'real.yaml'), 'services: []\n');
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'plain.yml'), 'routes: []\n');
    symlinkSync(join(other, 'real.yaml'), join(root, 'linked.yaml'));
    symlinkSync(join(other, 'missing.yaml'), join(root, 'dangling.yaml'));
    symlinkSync(root, join(root, 'loop')); // a cycle: must not be walked
    writeFileSync(join(root, 'notes.txt'), 'not a state file');
    const { files, issues } = await read(root);
    expect(issues).toEqual([]);
    expect(files.map((f) => f.name)).toEqual(['linked.yaml', join('sub', 'plain.yml')]);
  });

  it('a directory with only internals or non-state files is reported as empty', async () => {
    const root = tmp();
    mkdirSync(join(root, '..2026'));
    writeFileSync(join(root, '..2026', 'a.yaml'), 'services: []\n');
    const { files, issues } = await read(root);
    expect(files).toEqual([]);
    expect(issues.map((i) => i.code)).toEqual(['AIGW_NO_INPUT']);
  });
});
