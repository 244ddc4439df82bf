/**
 * Every `aigw gateway …` / `aigw file …` line of the README's "decK's command line" block, run with
 * the built CLI against a local Admin API (http://localhost:8001 in the README → the test server).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin, type Running } from '../admin-api/serve.js';

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'dist', 'bin', 'aigw.js');
const TOKEN = 'readme-admin-token';

function readmeLines(): string[] {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf("### decK's command line"));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('aigw '));
}

/** Shell words: `--a='b c' "d"` → ['--a=b c', 'd'], with "$TOKEN" expanded (single quotes keep `$`). */
function words(line: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  let quote: string | null = null;
  for (const ch of line) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else cur = (cur ?? '') + (quote === '"' && ch === '\x00' ? '' : ch);
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      cur ??= '';
    } else if (ch === ' ') {
      if (cur !== null) out.push(cur);
      cur = null;
    } else cur = (cur ?? '') + ch;
  }
  if (cur !== null) out.push(cur);
  return out.map((w) => w.replace('$TOKEN', TOKEN));
}

let dir: string;
let s: Running;
beforeAll(async () => {
  s = await startAdmin({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'aigw-readme-'));
  cpSync(join(root, 'fixtures', 'deck-file'), dir, { recursive: true });
  const consumer = (name: string, tag: string) => `_format_version: "3.0"\nconsumers:\n  - username: ${name}\n    tags: [${tag}]\n`;
  writeFileSync(join(dir, 'plugins.yaml'), `_format_version: "3.0"\nplugins:\n  - name: correlation-id\n`);
  writeFileSync(join(dir, 'extra-consumers.yaml'), consumer('extra', 'team-b'));
  writeFileSync(join(dir, 'base.yaml'), consumer('base', 'team-a'));
  writeFileSync(join(dir, 'team-a.yaml'), consumer('a', 'team-a'));
  writeFileSync(join(dir, 'team-b.yaml'), consumer('b', 'team-b'));
  writeFileSync(join(dir, 'kong-310.yaml'), readFileSync(join(dir, 'kong.yaml'), 'utf8'));
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("README: decK's command line", { timeout: 60_000 }, () => {
  const lines = readmeLines();
  it('has the examples', () => {
    expect(lines.filter((l) => l.startsWith('aigw gateway')).length).toBe(7);
    expect(lines.filter((l) => l.startsWith('aigw file')).length).toBe(11);
  });
  for (const line of lines) {
    it(line, async () => {
      const args = words(line).slice(1).map((w) => w.replace('http://localhost:8001', s.url));
      const r = await execa(process.execPath, [bin, ...args], {
        cwd: dir,
        reject: false,
        env: { NO_COLOR: '1', DECK_KONG_ADDR: s.url, DECK_KONG_ADMIN_TOKEN: TOKEN },
        extendEnv: false,
      });
      // diff --non-zero-exit-code answers 2 when there is drift
      expect([0, 2], `${r.stdout}\n${r.stderr}`).toContain(r.exitCode);
      expect(r.stderr).not.toMatch(/AIGW_INTERNAL|unknown option/);
    });
  }
});
