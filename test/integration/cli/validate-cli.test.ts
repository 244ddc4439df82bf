import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';

/** The built CLI (dist/, with precompiled validators) must report exactly what the library does. */
const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'dist', 'bin', 'aigw.js');
const invalidDir = join(root, 'fixtures', 'invalid');

function aigw(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  return execa(process.execPath, [bin, ...args], { cwd: root, reject: false, input: opts.input, env: { NO_COLOR: '1', ...opts.env }, extendEnv: false });
}

describe('aigw validate (built CLI)', () => {
  it('prints the version quickly and exits 0', async () => {
    const r = await aigw(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 0 on a valid file and summarises it on stderr', async () => {
    const r = await aigw(['validate', 'examples/quickstart.yaml']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('examples/quickstart.yaml: valid (1 consumer, 1 service, 1 key-auth, 1 route, 4 plugins)');
  });

  const cases = readdirSync(invalidDir).filter((n) => !n.endsWith('.expected.json')).sort();
  for (const name of cases) {
    it(`--json reports exactly the expected issues for ${name}`, async () => {
      const expected = JSON.parse(readFileSync(join(invalidDir, `${name.replace(/\.(ya?ml|json)$/, '')}.expected.json`), 'utf8'));
      const r = await aigw(['validate', '--json', `fixtures/invalid/${name}`]);
      const report = JSON.parse(r.stdout);
      const got = report.issues.map((i: Record<string, unknown>) => ({ severity: i.severity, code: i.code, line: i.line, column: i.column, message: i.message }));
      expect(got).toEqual(expected);
      const hasError = expected.some((i: { severity: string }) => i.severity === 'error');
      expect(r.exitCode).toBe(hasError ? 1 : 0);
      expect(report.valid).toBe(!hasError);
    });
  }

  it('--strict fails on warnings', async () => {
    const plain = await aigw(['validate', 'fixtures/invalid/018-unknown-plugin.yaml']);
    const strict = await aigw(['validate', '--strict', 'fixtures/invalid/018-unknown-plugin.yaml']);
    expect(plain.exitCode).toBe(0);
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toContain('error    AIGW_UNKNOWN_PLUGIN');
  });

  it('reads - from stdin', async () => {
    const r = await aigw(['validate', '-'], { input: '_format_version: "3.0"\nservices:\n  - name: s\n    port: x\n    host: h\n' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('<stdin>:4:11  error    AIGW_TYPE  expected an integer');
  });

  it('needs env values unless --mock-env, and never prints them', async () => {
    const missing = await aigw(['validate', 'fixtures/valid/openai-chat.yaml']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain("AIGW_ENV_UNSET  environment variable 'AIGW_OPENAI_API_KEY' present in state file but not set");
    const mocked = await aigw(['validate', '--mock-env', 'fixtures/valid/openai-chat.yaml']);
    expect(mocked.exitCode).toBe(0);
    const set = await aigw(['render', 'fixtures/valid/openai-chat.yaml'], { env: { AIGW_OPENAI_API_KEY: 'sk-very-secret' } });
    expect(set.exitCode).toBe(0);
    expect(set.stdout).not.toContain('sk-very-secret');
    expect(set.stdout).toContain('[masked]');
    const shown = await aigw(['render', '--show-secrets', 'fixtures/valid/openai-chat.yaml'], { env: { AIGW_OPENAI_API_KEY: 'sk-very-secret' } });
    expect(shown.stdout).toContain('Bearer sk-very-secret');
  });

  it('merges directories and reports cross-file problems at their own file', async () => {
    const r = await aigw(['validate', 'fixtures/invalid/035-cross-file-duplicate']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('fixtures/invalid/035-cross-file-duplicate/b.yaml:5:5  error    AIGW_DUPLICATE');
  });

  it('explains a missing argument and a missing file', async () => {
    const none = await aigw(['validate']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('AIGW_NO_INPUT');
    const missing = await aigw(['validate', 'nope.yaml']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain("AIGW_IO  cannot read 'nope.yaml': no such file or directory");
  });
});
