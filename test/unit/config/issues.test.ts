import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/issues.js';
import { loadText } from '../../../src/config/index.js';

describe('issue formatting', () => {
  it('prints file:line:col, severity, code and message, with a caret excerpt on a TTY', () => {
    const r = loadText('_format_version: "3.0"\nservices:\n  - name: s\n    host: h\n    port: "80"\n', { env: {}, name: 'kong.yaml' });
    expect(r.issues).toHaveLength(1);
    expect(formatIssue(r.issues[0])).toBe('kong.yaml:5:11  error    AIGW_TYPE  expected an integer');
    expect(formatIssue(r.issues[0], { excerpt: true })).toBe(
      'kong.yaml:5:11  error    AIGW_TYPE  expected an integer\n  5 |     port: "80"\n    |           ^',
    );
  });

  it('keeps positions in the original text when env templates change line lengths', () => {
    const text = '_format_version: "3.0"\nservices:\n  - name: ${{ env "AIGW_SVC_NAME_THAT_IS_LONG" }}\n    host: h\n    port: nope\n';
    const r = loadText(text, { env: { AIGW_SVC_NAME_THAT_IS_LONG: 'x' } });
    expect(r.issues.map((i) => [i.line, i.column, i.code])).toEqual([[5, 11, 'AIGW_TYPE']]);
  });

  it('suggests the closest field name for a typo', () => {
    const r = loadText('_format_version: "3.0"\nservices:\n  - name: s\n    url: http://x\n    conect_timeout: 5\n', { env: {} });
    expect(r.issues[0].message).toBe("unknown field 'conect_timeout' (did you mean 'connect_timeout'?)");
  });
});
