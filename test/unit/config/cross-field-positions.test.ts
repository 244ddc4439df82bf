import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';
import { validateEntity } from '../../../src/config/validate/entity-validate.js';

/** Line:column of each AIGW_ENTITY_CHECK issue of a file. */
function checks(text: string): Array<[number, number, string]> {
  const r = loadText(text, { env: {}, name: 'kong.yaml' });
  return r.issues.filter((i) => i.code === 'AIGW_ENTITY_CHECK').map((i) => [i.line ?? 0, i.column ?? 0, i.message]);
}

const aiProxy = (auth: string) => `_format_version: "3.0"
services:
- name: llm
  url: http://localhost:9
  routes:
  - name: chat
    paths: [/chat]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
${auth}        model:
          provider: openai
          name: gpt-4o
`;

describe('an error from a cross-field rule points at the field it names', () => {
  it('a half-set auth points at auth:, not at config:', () => {
    const text = aiProxy('        auth:\n          header_name: Authorization\n');
    expect(checks(text)).toEqual([[12, 9, "all or none of these fields must be set: 'auth.header_name', 'auth.header_value'"]]);
  });

  it('a conditional rule whose then-field is absent points at the field the condition reads', () => {
    const text = `_format_version: "3.0"
plugins:
- name: rate-limiting
  config:
    minute: 5
    policy: local
    limit_by: header
`;
    // conditional rule: names header_name, which is missing: points at the field the condition reads
    const out = checks(text);
    expect(out).toHaveLength(1);
    expect(out[0]![2]).toContain("failed conditional validation given value of field 'limit_by'");
    expect(out[0]!.slice(0, 2)).toEqual([7, 5]);
  });

  it('at_least_one_of on an entity points at the entity, only_one_of at the second field set', () => {
    const text = `_format_version: "3.0"
services:
- name: s
  url: http://localhost:9
  routes:
  - name: r
    protocols: [http]
`;
    const out = checks(text);
    expect(out).toHaveLength(1);
    expect(out[0]!.slice(0, 2)).toEqual([6, 5]);
  });

  it("keeps Kong's Admin API placement (@entity) apart from the file position", () => {
    const issues = validateEntity('plugins', { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', auth: { header_name: 'Authorization' }, model: { provider: 'openai', name: 'gpt-4o' } } });
    const check = issues.find((i) => i.code === 'AIGW_ENTITY_CHECK');
    expect(check?.path).toEqual(['config']);
  });
});

describe('a vault reference inside other text', () => {
  it('is a warning at the value (Kong resolves only a whole-value reference)', () => {
    const text = aiProxy('        auth:\n          header_name: Authorization\n          header_value: "Bearer {vault://env/openai-key}"\n');
    const r = loadText(text, { env: {}, name: 'kong.yaml' });
    const found = r.issues.filter((i) => i.code === 'AIGW_VAULT_REFERENCE').map((i) => [i.severity, i.line, i.column, i.message]);
    expect(found).toEqual([['warning', 14, 25, expect.stringContaining("resolved only when it is the whole value")]]);
    // a whole-value reference in the same field is fine
    const whole = loadText(aiProxy('        auth:\n          header_name: Authorization\n          header_value: "{vault://env/openai-auth}"\n'), { env: {}, name: 'kong.yaml' });
    expect(whole.issues.filter((i) => i.code === 'AIGW_VAULT_REFERENCE')).toEqual([]);
  });
});
