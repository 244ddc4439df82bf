import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';
import { configRules } from '../../../src/gateway/admin-api/config-rules.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { vaultResolver } from '../../../src/gateway/vault.js';
import { stateFrom } from '../../helpers/gateway.js';

const issues = (vaults: string) =>
  loadText(`_format_version: "3.0"\nvaults:\n${vaults}`, { env: {} }).issues.map((i) => `${i.severity} ${i.line}:${i.column} ${i.message}`);

describe('env vault entity', () => {
  it('accepts the env vault with its config (prefix, base64_decode)', () => {
    expect(issues('- { name: env, prefix: my-env, config: { prefix: AIGW_, base64_decode: true } }\n')).toEqual([]);
    expect(issues('- { name: env, prefix: e2 }\n')).toEqual([]);
  });

  it("refuses an unknown backend with Kong's message, warns about Kong Enterprise backends", () => {
    expect(issues('- { name: vaultx, prefix: my-vault }\n')).toEqual(["error 3:5 vault 'vaultx' is not installed"]);
    expect(issues('- { name: aws, prefix: my-aws, config: { region: us-east-1 } }\n')).toEqual([
      "warning 3:11 name 'aws' is accepted for Kong compatibility but aigw serve refuses it: a Kong Enterprise vault backend: aigw serve implements the env vault only, and refuses this one",
    ]);
  });

  it("checks the env config and the prefix as Kong does", () => {
    expect(issues('- { name: env, prefix: my-env, config: { prefix: "1BAD" } }\n')).toEqual(['error 3:50 invalid value: must match ^[A-Za-z_-][A-Za-z0-9_-]*$']);
    expect(issues('- { name: env, prefix: my-env, config: { pefix: A_ } }\n')).toEqual(["error 3:42 unknown field 'pefix' (did you mean 'prefix'?)"]);
    expect(issues('- { name: env, prefix: env }\n')).toEqual(['error 3:16 must not be one of: env']);
    expect(issues('- { name: env, prefix: ends-with- }\n')[0]).toMatch(/^error 3:24 /);
  });
});

describe('env vault: Admin API rules and serve', () => {
  const rules = configRules({});
  it("the Admin API accepts env vaults and refuses other backends with Kong's message", () => {
    expect(rules.validate('vaults', { name: 'env', prefix: 'my-env', config: { prefix: 'AIGW_' } })).toEqual([]);
    expect(rules.validate('vaults', { name: 'aws', prefix: 'my-aws', config: null })).toEqual([{ message: "vault 'aws' is not installed", path: ['name'] }]);
    expect(rules.validate('vaults', { name: 'nope', prefix: 'my-nope', config: null })).toEqual([{ message: "vault 'nope' is not installed", path: ['name'] }]);
  });

  it('resolves references through a vault entity: its prefix, then base64_decode', async () => {
    const state = await stateFrom(`_format_version: "3.0"
vaults:
- { name: env, prefix: my-env, config: { prefix: AIGW_TEST_ } }
- { name: env, prefix: b64, config: { prefix: B64_, base64_decode: true } }
`);
    const v = vaultResolver(state, { AIGW_TEST_OPENAI_KEY: 'sk-1', B64_JSON: Buffer.from('{"user":"u2"}').toString('base64'), OPENAI_KEY: 'plain' });
    expect(v.resolve(['{vault://my-env/openai-key}', '{vault://env/openai-key}', '{vault://b64/json/user}'])).toEqual(['sk-1', 'plain', 'u2']);
    expect(() => v.resolve('{vault://my-env/absent}')).toThrowError('could not resolve {vault://my-env/absent}: environment variable AIGW_TEST_ABSENT is not set');
  });

  it('serve refuses a Kong Enterprise vault at startup', async () => {
    const state = await stateFrom(`_format_version: "3.0"\nvaults:\n- { name: hcv, prefix: my-hcv }\n`);
    const deps = { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) };
    expect(() => buildRuntime(state, deps)).toThrowError("vaults: vault 'hcv' is not installed");
  });
});

describe('hmac-auth and oauth2 credentials in the file', () => {
  const consumers = (yaml: string) =>
    loadText(`_format_version: "3.0"\nconsumers:\n${yaml}`, { env: {} }).issues.map((i) => `${i.severity} ${i.line}:${i.column} ${i.message}`);

  it('accepts them nested under consumers', () => {
    expect(consumers(`- username: carol
  hmacauth_credentials: [{ username: carol-hmac, secret: s }]
  oauth2_credentials: [{ name: app, client_id: c1, client_secret: s2, redirect_uris: ["https://a.test/cb"], client_type: public }]
`)).toEqual([]);
  });

  it("refuses what Kong refuses, with Kong's messages", () => {
    expect(consumers(`- username: carol
  hmacauth_credentials: [{ secret: s }]
  oauth2_credentials: [{ client_id: c1, redirect_uris: [nope] }, { name: b, redirect_uris: ["https://a.test/cb#x"] }, { name: c, client_type: other }]
`)).toEqual([
      'error 4:26 username: required field missing',
      'error 5:24 name: required field missing',
      "error 5:57 cannot parse 'nope'",
      "error 5:93 fragment not allowed in 'https://a.test/cb#x'",
      'error 5:143 expected one of: confidential, public',
    ]);
  });
});

describe('mtls-auth credentials in the file (Kong Enterprise, decK dumps them)', () => {
  const consumers = (yaml: string) =>
    loadText(`_format_version: "3.0"\nconsumers:\n${yaml}`, { env: {} }).issues.map((i) => `${i.severity} ${i.line}:${i.column} ${i.message}`);

  it('accepts one nested under a consumer, with its id', () => {
    expect(consumers(`- username: dave
  mtls_auth_credentials: [{ id: 3d9c1f7e-52a4-4e8b-9a51-6f0e2b7c8d90, subject_name: dave@example.test }]
`)).toEqual([]);
  });

  it('needs subject_name, and the id decK matches it by', () => {
    expect(consumers(`- username: dave
  mtls_auth_credentials:
    - { id: 3d9c1f7e-52a4-4e8b-9a51-6f0e2b7c8d91 }
    - { subject_name: dave@example.test }
`)).toEqual([
      'error 5:7 subject_name: required field missing',
      "error 6:7 mtls-auth with subject_name 'dave@example.test' lacks an id: give it one (an mtls-auth credential has no other unique field to match it on the gateway)",
    ]);
  });
});
