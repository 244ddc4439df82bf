import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadState } from '../../../src/config/index.js';

const root = join(__dirname, '..', '..', '..');
const validDir = join(root, 'fixtures', 'valid');
const invalidDir = join(root, 'fixtures', 'invalid');
const env = { AIGW_OPENAI_API_KEY: 'sk-test-123' };

describe('valid fixtures', () => {
  for (const name of readdirSync(validDir).sort()) {
    it(`${name} has no errors`, async () => {
      const r = await loadState([join(validDir, name)], { env, cwd: root });
      expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
      expect(r.state).not.toBeNull();
    });
  }
});

describe('invalid fixtures yield exactly their expected issues', () => {
  const cases = readdirSync(invalidDir).filter((n) => !n.endsWith('.expected.json')).sort();
  it('has a broad corpus', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  for (const name of cases) {
    it(name, async () => {
      const expected = JSON.parse(readFileSync(join(invalidDir, `${name.replace(/\.(ya?ml|json)$/, '')}.expected.json`), 'utf8'));
      // the expected files are what `aigw validate` reports (validate.ts loads with legacyFormatVersion)
      const r = await loadState([join(invalidDir, name)], { env: {}, cwd: root, legacyFormatVersion: true });
      const got = r.issues.map((i) => ({ severity: i.severity, code: i.code, line: i.line, column: i.column, message: i.message }));
      expect(got).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    });
  }
});
