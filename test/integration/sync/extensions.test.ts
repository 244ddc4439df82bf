/**
 * A file that uses aigw extensions runs under aigw serve; against a real Kong, diff/sync say which
 * parts Kong will reject, and `validate --target kong` says it offline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as validate } from '../../../src/commands/validate.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const FILE = `_format_version: "3.0"
routes:
  - name: claude
    paths: [/claude]
    plugins:
      - name: ai-proxy
        config:
          route_type: llm/v1/chat
          llm_format: anthropic
          model: { provider: openai, name: gpt-4o }
`;

let dir: string;
let kong: Running;
let aigw: Running;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-ext-'));
  writeFileSync(join(dir, 'kong.yaml'), FILE);
  // a real Kong answers GET / with its own tagline
  kong = await startAdmin({
    intercept: (req, res) => {
      if (req.method !== 'GET' || req.url !== '/') return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ tagline: 'Welcome to kong', version: '3.10.0', edition: 'community', configuration: { database: 'postgres' } }));
      return true;
    },
  });
  aigw = await startAdmin();
});

afterAll(async () => {
  await kong.close();
  await aigw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('aigw extensions', () => {
  it('diff against a real Kong warns, naming the field and its line', async () => {
    const io = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['kong.yaml'], opts: { kongAddr: kong.url } }, io)).toBe(0);
    expect(io.stderr()).toContain('warning: the target is Kong 3.10.0; the file uses aigw extensions that it will reject:');
    expect(io.stderr()).toContain("kong.yaml:9:23  warning  AIGW_EXTENSION  llm_format 'anthropic' works under aigw serve only: aigw extension: accept the native Anthropic Messages format; Kong 3.10 rejects it");
  });

  it('diff against aigw serve says nothing about them', async () => {
    const io = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['kong.yaml'], opts: { kongAddr: aigw.url } }, io)).toBe(0);
    expect(io.stderr()).not.toContain('AIGW_EXTENSION');
  });

  it('validate --target kong reports them offline; the default target does not', async () => {
    const plain = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['kong.yaml'], opts: { target: 'aigw' } }, plain)).toBe(0);
    expect(plain.stdout()).toBe('');
    const forKong = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['kong.yaml'], opts: { target: 'kong' } }, forKong)).toBe(0);
    expect(forKong.stdout()).toContain('AIGW_EXTENSION');
    const strict = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['kong.yaml'], opts: { target: 'kong', strict: true } }, strict)).toBe(1);
  });
});
