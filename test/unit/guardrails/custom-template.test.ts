import { describe, expect, it } from 'vitest';
import { compile, evaluate, jsonValue, truthy } from '../../../src/gateway/plugins/ai-custom-guardrail/template.js';

const scope = { content: 'hi there', source: 'INPUT' as const, conf: { params: { key: 'k1' } }, resp: { flagged: false, results: [{ categories: { hate: true } }], n: 0 } };
const ev = (v: string) => evaluate(compile(v, 'f'), scope);

describe('ai-custom-guardrail expressions', () => {
  it('whole expressions keep their type; mixed ones render to strings', () => {
    expect(ev('$(resp.flagged)')).toBe(false);
    expect(ev('$(resp.results[1].categories.hate)')).toBe(true);
    expect(ev('$(resp.results[2].categories)')).toBeUndefined();
    expect(ev('Bearer $(conf.params.key)')).toBe('Bearer k1');
    expect(ev('[$(source)] $(content) $(resp.missing)!')).toBe('[INPUT] hi there !');
    expect(ev('$(resp.results)')).toEqual([{ categories: { hate: true } }]);
    expect(ev('plain')).toBe('plain');
  });

  it('Lua beyond value paths is refused, naming the field', () => {
    expect(() => compile('$(string.upper(content))', 'request.body.input')).toThrowError(/^request\.body\.input: the expression/);
    expect(() => compile('$(resp.score > 0.5)', 'response.block')).toThrowError(/response\.block: the expression \$\(resp\.score > 0\.5\) cannot run/);
    expect(() => compile('$(content.length)', 'x')).toThrowError(/has no fields/);
    expect(() => compile('$(kong.request.get_header("x"))', 'x')).toThrowError(/cannot run/);
  });

  it("truthiness is Lua's for expressions, literal strings read as booleans", () => {
    expect(truthy(0, false)).toBe(true);
    expect(truthy('false', false)).toBe(true);
    expect(truthy(null, false)).toBe(false);
    expect(truthy(false, false)).toBe(false);
    expect(truthy('false', true)).toBe(false);
    expect(truthy('TRUE', true)).toBe(true);
  });

  it('body values that parse as JSON are sent as JSON, expressions as they are', () => {
    expect(jsonValue('true', false)).toBe(true);
    expect(jsonValue('{"a":1}', false)).toEqual({ a: 1 });
    expect(jsonValue('mod-1', false)).toBe('mod-1');
    expect(jsonValue('123', true)).toBe('123');
  });
});
