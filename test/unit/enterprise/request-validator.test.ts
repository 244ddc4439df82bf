import { describe, expect, it } from 'vitest';
import { compileKongSchema } from '../../../src/gateway/plugins/request-validator/kong-schema.js';
import { compileJsonSchema } from '../../../src/gateway/plugins/request-validator/json-schema.js';
import { checkParameter, compileParameter, type ParamSource } from '../../../src/gateway/plugins/request-validator/params.js';
import { contentTypeAllowed, parseMediaType, type MediaType } from '../../../src/gateway/plugins/request-validator/content-type.js';
import { parseValidatorConfig } from '../../../src/gateway/plugins/request-validator/index.js';
import { loadText } from '../../../src/config/index.js';

describe("request-validator: Kong's schema format", () => {
  it("reports Kong's messages per field", () => {
    const v = compileKongSchema(JSON.stringify([
      { name: { type: 'string', required: true } },
      { age: { type: 'integer', between: [0, 150] } },
      { kind: { type: 'string', one_of: ['a', 'b'] } },
      { tags: { type: 'array', elements: { type: 'string', len_max: 3 }, len_max: 2 } },
      { meta: { type: 'record', fields: [{ id: { type: 'number', gt: 0, required: true } }] } },
      { blank: { type: 'string', len_min: 0 } },
    ]));
    expect(v({ name: 'ann', age: 3, kind: 'a', tags: ['x'], meta: { id: 1 }, blank: '' })).toBeNull();
    expect(v({})).toEqual({ name: 'required field missing' });
    expect(v({ name: '', age: 1.5, kind: 'c', extra: 1 })).toEqual({ name: 'length must be at least 1', age: 'expected an integer', kind: 'expected one of: a, b', extra: 'unknown field' });
    expect(v({ name: 'a', age: 200, tags: ['abcd', 'x', 'y'] })).toEqual({ age: 'value should be between 0 and 150', tags: 'length must be at most 2' });
    expect(v({ name: 'a', tags: ['abcd'], meta: { id: 0 } })).toEqual({ tags: { 1: 'length must be at most 3' }, meta: { id: 'value must be greater than 0' } });
    expect(v([])).toEqual({ '@entity': 'expected a record' });
    expect(compileKongSchema('[]')({})).toBeNull();
    expect(compileKongSchema('[]')({ field: 'value' })).toEqual({ field: 'unknown field' });
  });

  it('refuses validators it cannot run, and broken schemas', () => {
    expect(() => compileKongSchema('[{"a": {"type": "string", "match": "^%d+$"}}]')).toThrow(/property 'match' of field 'a' cannot run in aigw serve/);
    expect(() => compileKongSchema('[{"a": {"type": "foreign"}}]')).toThrow("body_schema: field 'a' has an unknown type 'foreign'");
    expect(() => compileKongSchema('{')).toThrow('body_schema: not valid JSON');
    expect(() => compileKongSchema('{"a": 1}')).toThrow(/must be a list of fields/);
  });
});

describe('request-validator: JSON Schema drafts', () => {
  it('reads draft 4 (id, $schema, boolean exclusive bounds) with its own meta-schema', () => {
    const d4 = compileJsonSchema('{"$schema":"http://json-schema.org/draft-04/schema#","id":"x","type":"number","minimum":1,"exclusiveMinimum":true}', 'draft4', 'body_schema');
    expect([d4(1), d4(1.5)]).toEqual([false, true]);
    // draft 4 has no numeric exclusive bounds: such a schema is not a draft-04 schema
    expect(() => compileJsonSchema('{"type":"number","exclusiveMinimum":1}', 'draft4', 'body_schema')).toThrow(/not a valid draft4 JSON Schema/);
    const v = compileJsonSchema('{"type":"number","maximum":5,"exclusiveMaximum":true}', 'draft4', 'body_schema');
    expect([v(4), v(5)]).toEqual([true, false]);
    const date = compileJsonSchema('{"type":"string","format":"date-time"}', 'draft4', 'body_schema');
    expect([date('2020-06-05T14:48:00.000Z'), date('20200-06-05T14:48:00.000Z')]).toEqual([true, false]);
  });

  it('compiles the later drafts and refuses what is not a schema', () => {
    expect(compileJsonSchema('{"type":"object","dependentRequired":{"a":["b"]}}', 'draft201909', 'body_schema')({ a: 1 })).toBe(false);
    expect(compileJsonSchema('{"prefixItems":[{"type":"integer"}]}', 'draft202012', 'body_schema')(['x'])).toBe(false);
    expect(compileJsonSchema('{"type":"integer","exclusiveMinimum":0}', 'draft6', 'body_schema')(0)).toBe(false);
    expect(() => compileJsonSchema('{"type": 3}', 'draft7', 'body_schema')).toThrow(/not a valid draft7 JSON Schema/);
    expect(() => compileJsonSchema('[]', 'draft4', 'body_schema')).toThrow('body_schema: a JSON Schema must be an object');
    expect(() => parseValidatorConfig({ version: 'kong' })).toThrow(/at least one of/);
  });
});

describe('request-validator: parameters', () => {
  const src = (o: Partial<ParamSource> = {}): ParamSource => ({ header: () => undefined, query: {}, path: {}, ...o });
  const param = (p: Record<string, unknown>) => compileParameter({ required: true, style: 'simple', explode: false, ...p }, 0);

  it('deserializes arrays by style and explode, coercing items', () => {
    const ints = '{"type":"array","items":{"type":"integer"}}';
    expect(checkParameter(param({ in: 'query', name: 'q', style: 'form', schema: ints }), src({ query: { q: '1,2,3' } }))).toBeNull();
    expect(checkParameter(param({ in: 'query', name: 'q', style: 'form', explode: true, schema: ints }), src({ query: { q: ['1', '2'] } }))).toBeNull();
    expect(checkParameter(param({ in: 'query', name: 'q', style: 'pipeDelimited', schema: ints }), src({ query: { q: '1|x' } }))).toMatchObject({ message: 'property 1 validation failed: must be integer' });
    expect(checkParameter(param({ in: 'path', name: 'p', style: 'label', explode: true, schema: ints }), src({ path: { p: '.4.5' } }))).toBeNull();
    expect(checkParameter(param({ in: 'path', name: 'p', style: 'matrix', explode: true, schema: ints }), src({ path: { p: ';p=4;p=x' } }))).not.toBeNull();
  });

  it('deserializes objects (simple, form, deepObject) and primitives', () => {
    const obj = '{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}';
    expect(checkParameter(param({ in: 'header', name: 'x-o', schema: obj }), src({ header: () => 'a,5' }))).toBeNull();
    expect(checkParameter(param({ in: 'header', name: 'x-o', explode: true, schema: obj }), src({ header: () => 'a=x' }))).not.toBeNull();
    expect(checkParameter(param({ in: 'query', name: 'f', style: 'deepObject', explode: true, schema: obj }), src({ query: { 'f[a]': '7' } }))).toBeNull();
    expect(checkParameter(param({ in: 'query', name: 'f', style: 'deepObject', explode: true, schema: obj }), src({}))).toEqual({ message: 'required parameter missing' });
    const bool = param({ in: 'header', name: 'x-b', schema: '{"type":"boolean"}' });
    expect(checkParameter(bool, src({ header: () => 'true' }))).toBeNull();
    expect(checkParameter(bool, src({ header: () => ['true', 'maybe'] }))).toMatchObject({ data: 'maybe' });
    expect(checkParameter(param({ in: 'query', name: 'o', required: false, schema: '{"type":"string"}' }), src())).toBeNull();
  });

  it('needs a top-level type in a parameter schema', () => {
    expect(() => param({ in: 'query', name: 'q', schema: '{"minLength":1}' })).toThrow('parameter_schema[0].schema: the schema must have a top-level type');
  });
});

describe('request-validator: content types', () => {
  const allowed = ['application/json', 'text/*; charset=UTF-8'].map(parseMediaType) as MediaType[];
  it('matches type, subtype and parameters (charset without case)', () => {
    expect(contentTypeAllowed(allowed, 'application/json', true)).toBe(true);
    expect(contentTypeAllowed(allowed, 'application/json; charset=utf-8', true)).toBe(false);
    expect(contentTypeAllowed(allowed, 'application/json; charset=utf-8', false)).toBe(true);
    expect(contentTypeAllowed(allowed, 'text/plain; charset=utf-8', true)).toBe(true);
    expect(contentTypeAllowed(allowed, 'text/plain', true)).toBe(false);
    expect(contentTypeAllowed(allowed, undefined, true)).toBe(false);
  });
});

describe('validate names the Kong Enterprise plugins aigw does not run', () => {
  it('saml and kafka-upstream get a specific message; other unknown plugins the generic one', () => {
    const r = loadText(`_format_version: "3.0"
plugins:
- name: saml
  config: { issuer: https://idp.example/ }
- name: kafka-upstream
  config: { topic: t }
- name: my-custom
`, { env: {}, name: 'kong.yaml' });
    const msgs = r.issues.filter((i) => i.code === 'AIGW_UNKNOWN_PLUGIN').map((i) => i.message);
    expect(msgs).toEqual([
      "plugin 'saml' is a Kong Enterprise plugin that aigw does not implement: 'aigw serve' cannot run it and its config is not checked (Kong Enterprise and Konnect run it)",
      "plugin 'kafka-upstream' is a Kong Enterprise plugin that aigw does not implement: 'aigw serve' cannot run it and its config is not checked (Kong Enterprise and Konnect run it)",
      "plugin 'my-custom' is not known to aigw: 'aigw serve' cannot run it and its config is not checked (it may exist on your Kong)",
    ]);
  });
});
