import { describe, expect, it } from 'vitest';
import { renderEnv, shellVariableAdvice } from '../../../src/config/env.js';

describe('env templating', () => {
  it('substitutes AIGW_ and DECK_ variables and records the values for masking', () => {
    const r = renderEnv('a: ${{ env "AIGW_A" }}\nb: ${{ env "DECK_B" }}\n', { env: { AIGW_A: 'one', DECK_B: 'two' } });
    expect(r.text).toBe('a: one\nb: two\n');
    expect(r.values).toEqual(['one', 'two']);
    expect(r.issues).toEqual([]);
  });

  it('applies toBool, toInt, toFloat and indent', () => {
    const env = { AIGW_B: 'TRUE', AIGW_I: ' 42 ', AIGW_F: '0.5', AIGW_PEM: 'line1\nline2' };
    const r = renderEnv('b: ${{ env "AIGW_B" | toBool }}\ni: ${{ env "AIGW_I" | toInt }}\nf: ${{ env "AIGW_F" | toFloat }}\np: |\n${{ env "AIGW_PEM" | indent 2 }}\n', { env });
    expect(r.text).toBe('b: true\ni: 42\nf: 0.5\np: |\n  line1\n  line2\n');
  });

  it('reports an unset variable with its name at the template offset', () => {
    const text = 'x: 1\nkey: ${{ env "AIGW_MISSING" }}\n';
    const r = renderEnv(text, { env: {} });
    expect(r.issues).toEqual([{ code: 'AIGW_ENV_UNSET', message: "environment variable 'AIGW_MISSING' present in state file but not set", offset: text.indexOf('${{') }]);
  });

  it('refuses names without the AIGW_/DECK_ prefix, like decK', () => {
    const r = renderEnv('k: ${{ env "OPENAI_API_KEY" }}', { env: { OPENAI_API_KEY: 'x' } });
    expect(r.issues[0].code).toBe('AIGW_ENV_PREFIX');
    expect(r.issues[0].message).toContain("found: 'OPENAI_API_KEY'");
  });

  it('reports malformed templates and bad conversions', () => {
    expect(renderEnv('k: ${{ envv "AIGW_X" }}', { env: {} }).issues[0].code).toBe('AIGW_ENV_TEMPLATE');
    expect(renderEnv('k: ${{ env "AIGW_X" | toInt }}', { env: { AIGW_X: 'abc' } }).issues[0].message).toContain("cannot convert 'abc' to an integer");
    expect(renderEnv('k: ${{ env "AIGW_X" | upper }}', { env: { AIGW_X: 'abc' } }).issues[0].message).toContain("unknown pipe 'upper'");
  });

  it('mock mode needs no environment: names, false and 42', () => {
    const r = renderEnv('s: ${{ env "AIGW_S" }}\nb: ${{ env "AIGW_B" | toBool }}\nn: ${{ env "AIGW_N" | toInt }}', { env: {}, mock: true });
    expect(r.text).toBe('s: AIGW_S\nb: false\nn: 42');
    expect(r.values).toEqual([]);
  });

  it('leaves templates on comment lines alone', () => {
    const r = renderEnv('# key: ${{ env "AIGW_UNSET" }}\na: 1', { env: {} });
    expect(r.issues).toEqual([]);
    expect(r.text).toBe('# key: ${{ env "AIGW_UNSET" }}\na: 1');
  });

  it('maps rendered offsets back to the original text', () => {
    const text = 'a: ${{ env "AIGW_LONG_NAME" }}\nb: [oops\n';
    const r = renderEnv(text, { env: { AIGW_LONG_NAME: 'v' } });
    const renderedB = r.text.indexOf('b:');
    expect(r.toOriginal(renderedB)).toBe(text.indexOf('b:'));
    expect(r.toOriginal(r.text.indexOf('v'))).toBe(text.indexOf('${{'));
  });

  it('spots unexpanded shell variables and says how to write them', () => {
    expect(shellVariableAdvice('Bearer $OPENAI_API_KEY')).toContain('${{ env "AIGW_OPENAI_API_KEY" }}');
    expect(shellVariableAdvice('${MISTRAL_API_KEY}')).toContain('{vault://env/mistral-api-key}');
    expect(shellVariableAdvice('^/v1/chat$')).toBeNull();
    expect(shellVariableAdvice('price: $5')).toBeNull();
  });
});
