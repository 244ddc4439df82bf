import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { chooseFormat } from '../../../src/cli/output-format.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as validate } from '../../../src/commands/validate.js';

const FORMATS = ['text', 'json', 'markdown'] as const;

describe('--format', () => {
  it('defaults to the first format, takes --json as --format json, and refuses the rest', () => {
    expect(chooseFormat({}, FORMATS)).toBe('text');
    expect(chooseFormat({ format: 'markdown' }, FORMATS)).toBe('markdown');
    expect(chooseFormat({ json: true }, FORMATS)).toBe('json');
    expect(chooseFormat({ json: true, format: 'json' }, FORMATS)).toBe('json');
    expect(() => chooseFormat({ json: true, format: 'markdown' }, FORMATS)).toThrow('--json and --format markdown disagree');
    expect(() => chooseFormat({ format: 'sarif' }, FORMATS)).toThrow("--format must be one of text, json, markdown, not 'sarif'");
  });

  it('diff refuses to put secrets in a Markdown comment, before connecting to anything', async () => {
    await expect(diff.run({ args: ['kong.yaml'], opts: { format: 'markdown', showSecrets: true, kongAddr: 'http://127.0.0.1:1' } }, bufferIo())).rejects.toThrow('cannot be combined with --show-secrets');
    await expect(diff.run({ args: ['kong.yaml'], opts: { format: 'yaml' } }, bufferIo())).rejects.toThrow("--format must be one of text, json, markdown, not 'yaml'");
  });

  it('validate --json keeps its report', async () => {
    const io = bufferIo({ stdin: '_format_version: "3.0"\nservices:\n  - name: a\n    url: http://a\n' });
    expect(await validate.run({ args: ['-'], opts: { json: true, target: 'aigw' } }, io)).toBe(0);
    expect(Object.keys(JSON.parse(io.stdout()) as object)).toEqual(['valid', 'errors', 'warnings', 'files', 'issues', 'entities']);
  });
});
