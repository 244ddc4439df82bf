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
let kong314: Running;
let aigw: Running;

/** An Admin API that answers GET / as a real Kong of `version`. */
const realKong = (version: string) => startAdmin({
  intercept: (req, res) => {
    if (req.method !== 'GET' || req.url !== '/') return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ tagline: 'Welcome to kong', version, edition: 'community', configuration: { database: 'postgres' } }));
    return true;
  },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-ext-'));
  writeFileSync(join(dir, 'kong.yaml'), FILE);
  // a real Kong answers GET / with its own tagline
  kong = await realKong('3.10.0');
  kong314 = await realKong('3.14.0.1');
  aigw = await startAdmin();
});

afterAll(async () => {
  await kong.close();
  await kong314.close();
  await aigw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('aigw extensions', () => {
  it('diff against a real Kong warns, naming the field and its line', async () => {
    const io = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['kong.yaml'], opts: { kongAddr: kong.url } }, io)).toBe(0);
    expect(io.stderr()).toContain('warning: the target is Kong 3.10.0; the file uses aigw extensions that it will reject:');
    expect(io.stderr()).toContain("kong.yaml:9:23  warning  AIGW_EXTENSION  llm_format 'anthropic' works under aigw serve only: Kong 3.13+; Kong 3.10 rejects it");
  });

  it('diff against a Kong that has the feature (3.14) says nothing: the warning is true for the target version only', async () => {
    const io = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['kong.yaml'], opts: { kongAddr: kong314.url } }, io)).toBe(0);
    expect(io.stderr()).not.toContain('AIGW_EXTENSION');
  });

  it('diff against aigw serve says nothing about them', async () => {
    const io = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['kong.yaml'], opts: { kongAddr: aigw.url } }, io)).toBe(0);
    expect(io.stderr()).not.toContain('AIGW_EXTENSION');
  });

  it('validate --target kong --kong-version 3.10 reports them offline; the default target and Kong 3.14 do not', async () => {
    const plain = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['kong.yaml'], opts: { target: 'aigw', kongVersion: '3.10' } }, plain)).toBe(0);
    expect(plain.stdout()).toBe('');
    const forKong = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['kong.yaml'], opts: { target: 'kong', kongVersion: '3.10' } }, forKong)).toBe(0);
    expect(forKong.stdout()).toContain('AIGW_EXTENSION');
    const strict = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['kong.yaml'], opts: { target: 'kong', strict: true, kongVersion: '3.10' } }, strict)).toBe(1);
    const kong314 = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['kong.yaml'], opts: { target: 'kong', strict: true } }, kong314)).toBe(0);
    expect(kong314.stdout()).not.toContain('AIGW_EXTENSION');
  });
});
