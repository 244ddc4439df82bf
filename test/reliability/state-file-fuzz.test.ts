/**
 * Reliability: hostile state files (issue 10). Whatever a file holds — anchors and aliases by the
 * ten thousand, a "billion laughs", nesting far too deep, huge maps and arrays, duplicate keys,
 * wrong types, a 10 MB string, invalid UTF-8, a BOM, CRLF — validation answers with issues, never
 * a stack trace or AIGW_INTERNAL, and fast: CPU time (not wall time: the machine is shared) under
 * 5 s per file. Anchors/aliases and large maps were quadratic (YAML's alias lookup and duplicate-key
 * check): 5,000 lines of anchors took over a minute.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadText } from '../../src/config/index.js';

const BIN = join(__dirname, '../../dist/bin/aigw.js');
const lines = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('');

const HOSTILE: Record<string, () => string> = {
  'anchors and aliases (20,000 lines)': () =>
    `_format_version: "3.0"\nx-defs:\n${lines(10_000, (i) => `  d${i}: &a${i} t${i}\n`)}services:\n- name: a\n  url: http://a\n  tags:\n${lines(10_000, (i) => `  - *a${i}\n`)}`,
  'duplicate keys (50,000 lines)': () => `_format_version: "3.0"\nservices:\n- name: a\n${lines(50_000, () => '  url: http://a\n')}`,
  'a map of 50,000 keys': () => `_format_version: "3.0"\nx-big:\n${lines(50_000, (i) => `  k${i}: ${i}\n`)}`,
  'billion laughs': () => {
    let s = '_format_version: "3.0"\nx-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 10; i++) s += `x-l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]\n`;
    return `${s}services:\n- name: a\n  url: http://a\n  tags: *l9\n`;
  },
  'flow nesting 50,000 deep': () => `_format_version: "3.0"\nservices: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`,
  'JSON nesting 50,000 deep': () => `{"_format_version": "3.0", "services": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
  'block nesting 3,000 deep': () => `_format_version: "3.0"\nservices:\n${lines(3000, (i) => `${' '.repeat(i)}- \n`)}`,
  'an array of 50,000 tags': () => `_format_version: "3.0"\nservices:\n- name: a\n  url: http://a\n  tags:\n${lines(50_000, (i) => `  - t${i}\n`)}`,
  'wrong types (5,000 lines)': () => `_format_version: "3.0"\nservices:\n${lines(1000, (i) => `- name: ${i}\n  url: [1]\n  retries: "x"\n  tags: {a: 1}\n  port: -5\n`)}`,
  'a 10 MB string': () => `_format_version: "3.0"\nservices:\n- name: ${'x'.repeat(10_000_000)}\n  url: http://a\n`,
  'BOM and CRLF': () => `\uFEFF_format_version: "3.0"\r\nservices:\r\n${lines(2000, (i) => `- name: s${i}\r\n  url: http://a\r\n`)}`,
  '__proto__ keys': () => '_format_version: "3.0"\n__proto__: {polluted: true}\nservices:\n- name: a\n  url: http://a\n  __proto__: {x: 1}\n',
};

function cpuMs<T>(f: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}

describe('hostile state files', () => {
  for (const [name, make] of Object.entries(HOSTILE)) {
    it(`${name}: issues, no stack trace, under 5 s of CPU`, () => {
      const text = make();
      const { value: r, ms } = cpuMs(() => loadText(text, { env: {} }));
      for (const i of r.issues) {
        expect(i.code).not.toBe('AIGW_INTERNAL');
        expect(i.message).not.toMatch(/\n\s+at /);
      }
      expect(ms).toBeLessThan(5000);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }, 60_000);
  }

  it('expands aliases with a bound: a billion laughs is one clear error', () => {
    const r = loadText(HOSTILE['billion laughs'](), { env: {} });
    expect(r.state).toBeNull();
    expect(r.issues.map((i) => [i.code, i.message])).toEqual([['AIGW_SYNTAX', expect.stringContaining('aliases expand this document to more than 2,000,000 values')]]);
  });

  it('reports every duplicate key at its line, and still reads aliases as their anchors', () => {
    const dup = loadText('_format_version: "3.0"\nservices:\n- name: a\n  url: http://a\n  url: http://b\n  url: http://c\n', { env: {} });
    expect(dup.issues.map((i) => [i.code, i.line, i.message])).toEqual([
      ['AIGW_SYNTAX', 5, 'duplicate key: Map keys must be unique'],
      ['AIGW_SYNTAX', 6, 'duplicate key: Map keys must be unique'],
    ]);
    const ok = loadText('_format_version: "3.0"\nservices:\n- name: a\n  url: http://a\n  tags: &t [a, b]\n- name: b\n  url: http://b\n  tags: *t\n', { env: {} });
    expect(ok.issues).toEqual([]);
    expect(ok.state?.entities.services.map((s) => s.tags)).toEqual([['a', 'b'], ['a', 'b']]);
  });

  it('the built CLI: invalid UTF-8 with a BOM and CRLF, and a billion laughs, are reported without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-fuzz-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, Buffer.concat([Buffer.from('\uFEFF_format_version: "3.0"\r\nservices:\r\n- name: s\xff\xfe\r\n', 'latin1'), Buffer.from('  url: http://a\r\n  retries: x\r\n')]));
    const laughs = join(dir, 'laughs.yaml');
    writeFileSync(laughs, HOSTILE['billion laughs']());
    for (const file of [bad, laughs]) {
      const r = spawnSync(process.execPath, [BIN, 'validate', file], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/AIGW_/);
      expect(out).not.toMatch(/AIGW_INTERNAL|\n\s+at |TypeError|RangeError/);
    }
  }, 60_000);
});
