/**
 * `aigw validate --format text|github|sarif` on fixtures/review/validate/kong.yaml (errors and
 * warnings of several kinds, messages with `:` and `,`): golden outputs, GitHub's escaping rules,
 * and the SARIF log validated against the official SARIF 2.1.0 JSON Schema, read from the
 * @microsoft/sarif-multitool package (a devDependency; nothing is downloaded at test time).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, issueCommand, workflowCommand } from '../../../src/cli/github-annotations.js';
import { bufferIo } from '../../../src/cli/io.js';
import { artifactUri, toSarif } from '../../../src/cli/sarif.js';
import { command as validate } from '../../../src/commands/validate.js';
import { CODES } from '../../../src/errors.js';
import { expectGolden } from '../../helpers/golden.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DIR = join(ROOT, 'fixtures/review/validate');
const FILE = 'fixtures/review/validate/kong.yaml';

async function run(format: string): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo({ cwd: ROOT });
  const code = await validate.run({ args: [FILE], opts: { format, target: 'aigw' } }, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** The official schema, from the platform package that @microsoft/sarif-multitool installed. */
function sarifValidator() {
  const require = createRequire(import.meta.url);
  const pkg = `@microsoft/sarif-multitool-${process.platform === 'win32' ? 'win32' : process.platform === 'darwin' ? 'darwin' : 'linux'}`;
  const schema = JSON.parse(readFileSync(require.resolve(`${pkg}/sarif-2.1.0.json`), 'utf8')) as Record<string, unknown>;
  expect(schema.title).toBe('Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
  return ajv.compile(schema);
}

describe('validate output formats', () => {
  it('text', async () => {
    const r = await run('text');
    expect(r.code).toBe(1);
    expectGolden(join(DIR, 'expected.text.txt'), r.out);
  });

  it('github: one workflow command per issue, errors and warnings', async () => {
    const r = await run('github');
    expect(r.code).toBe(1);
    expectGolden(join(DIR, 'expected.github.txt'), r.out);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l).toMatch(/^::(error|warning) file=fixtures\/review\/validate\/kong\.yaml,line=\d+,col=\d+(,endLine=\d+,endColumn=\d+)?,title=aigw AIGW_[A-Z_]+::[^\n]+$/);
    expect(r.err).toContain('4 errors, 2 warnings');
  });

  it('sarif: golden, and valid against the SARIF 2.1.0 schema', async () => {
    const r = await run('sarif');
    expect(r.code).toBe(1);
    expectGolden(join(DIR, 'expected.sarif.json'), r.out);
    const log = JSON.parse(r.out) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string }> }> };
    const check = sarifValidator();
    expect(check(log), JSON.stringify(check.errors)).toBe(true);
    const run0 = log.runs[0];
    expect(run0.tool.driver.rules.map((x) => x.id)).toEqual(Object.keys(CODES));
    for (const res of run0.results) expect(run0.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
    expect(run0.results.map((x) => x.level)).toEqual(['error', 'warning', 'error', 'error', 'warning', 'error']);
  });

  it('sarif: the schema check can fail (it is not vacuous)', () => {
    const check = sarifValidator();
    const log = toSarif([{ severity: 'error', code: 'AIGW_TYPE', message: 'x', file: 'a.yaml', line: 0, column: 1 }], '0.1.0');
    expect(check(log)).toBe(false);
    const noIssues = toSarif([], '0.1.0');
    expect(check(noIssues)).toBe(true);
  });

  it('sarif: file names become URI references; stdin has no location', () => {
    expect(artifactUri('config/my kong,1.yaml')).toBe('config/my%20kong%2C1.yaml');
    expect(artifactUri('/abs/kong.yaml')).toBe('file:///abs/kong.yaml');
    const log = toSarif([{ severity: 'warning', code: 'AIGW_SHELL_VAR', message: 'x', file: '<stdin>', line: 3, column: 1 }], '0.1.0') as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    expect(log.runs[0].results[0].locations).toBeUndefined();
    expect(sarifValidator()(log)).toBe(true);
  });
});

describe('GitHub workflow command escaping', () => {
  it('escapes %, CR and LF in data, and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext%3A a%2C b');
    // % first, so an escape sequence in the input is not unescaped by the runner
    expect(escapeData('%0A')).toBe('%250A');
  });

  it('builds commands with escaped properties and leaves out missing ones', () => {
    expect(workflowCommand('error', { file: 'a,b:c.yaml', line: 3, col: undefined, title: 'T' }, 'm:1,2\nnext')).toBe('::error file=a%2Cb%3Ac.yaml,line=3,title=T::m:1,2%0Anext');
    expect(workflowCommand('warning', {}, 'plain')).toBe('::warning::plain');
  });

  it('an issue becomes an annotation: columns only on one line, GitHub\'s end column inclusive', () => {
    const base = { severity: 'error' as const, code: 'AIGW_VALUE' as const, message: 'expected one of: a, b', file: 'k.yaml', line: 4, column: 7 };
    expect(issueCommand({ ...base, endLine: 4, endColumn: 10 })).toBe('::error file=k.yaml,line=4,col=7,endLine=4,endColumn=9,title=aigw AIGW_VALUE::expected one of: a, b%0Athe value is out of range or not one of the allowed values');
    expect(issueCommand({ ...base, endLine: 6, endColumn: 2 })).toMatch(/^::error file=k\.yaml,line=4,col=7,title=/);
    expect(issueCommand({ ...base, severity: 'warning', file: undefined, line: undefined, column: undefined })).toMatch(/^::warning title=aigw AIGW_VALUE::/);
    expect(issueCommand({ ...base, file: '<stdin>' })).toMatch(/^::error title=/);
  });
});
