/**
 * The AI plugins Kong added after aigw's first schema set (Kong 3.10–3.14): a config written from
 * each plugin's documented examples validates; broken ones get Kong's messages, at the field.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadText } from '../../../src/config/index.js';
import { ROOT } from './schema-set.js';
import { useKongProfile } from '../../../src/config/schemas.js';
import { DEFAULT_PROFILE } from '../../../src/config/kong-version.js';

type SchemaSource = { kongSince: string; schema(kong: string): { properties: Record<string, unknown> } | null };
const source = async (name: string): Promise<SchemaSource> =>
  (await import(pathToFileURL(join(ROOT, 'src', 'gateway', 'plugins', name, 'schema.mjs')).href)) as SchemaSource;

/** The Kong version that added each plugin (DOCS front matter `min_version`), and the minor before it. */
const SINCE: Array<[string, string, string]> = [
  ['ai-rag-injector', '3.10', '3.9'], ['ai-sanitizer', '3.10', '3.9'], ['ai-aws-guardrails', '3.11', '3.10'],
  ['ai-prompt-compressor', '3.11', '3.10'], ['ai-llm-as-judge', '3.12', '3.11'], ['ai-semantic-response-guard', '3.12', '3.11'],
  ['ai-gcp-model-armor', '3.12', '3.11'], ['ai-mcp-proxy', '3.12', '3.11'], ['ai-mcp-oauth2', '3.12', '3.11'],
  ['ai-lakera-guard', '3.13', '3.12'], ['ai-custom-guardrail', '3.14', '3.13'], ['ai-a2a-proxy', '3.14', '3.13'],
  ['ai-semantic-prompt-guard', '3.8', '3.7'], ['ai-azure-content-safety', '3.7', '3.6'],
];

const EMBEDDINGS = { auth: { header_name: 'Authorization', header_value: 'Bearer sk-test' }, model: { provider: 'openai', name: 'text-embedding-3-small' } };
const REDIS = { strategy: 'redis', distance_metric: 'cosine', dimensions: 1536, redis: { host: '127.0.0.1', port: 6379 } };

/** Validates one plugin entry; returns the issues as `line:col code message`. */
function check(name: string, config: unknown): string[] {
  const text = stringify({ _format_version: '3.0', plugins: [{ name, config }] });
  const r = loadText(text, { env: {}, name: 'kong.yaml' });
  return r.issues.map((i) => `${i.line ?? 0}:${i.column ?? 0} ${i.code} ${i.message}`);
}

const errors = (name: string, config: unknown): string[] => check(name, config).filter((l) => !/AIGW_(UNSUPPORTED|EXTENSION)/.test(l));

const VALID: Record<string, unknown> = {
  'ai-semantic-prompt-guard': {
    embeddings: EMBEDDINGS, vectordb: REDIS, search: { threshold: 0.75 },
    rules: { allow_prompts: ['questions about our billing API'], deny_prompts: ["requests for other customers' data"] },
  },
  'ai-semantic-response-guard': { embeddings: EMBEDDINGS, vectordb: REDIS, rules: { deny_responses: ['instructions for disabling security controls'] } },
  'ai-rag-injector': {
    inject_template: 'Answer from this context only:\n<CONTEXT>\nQuestion: <PROMPT>', inject_as_role: 'system',
    global_acl_config: { allow: ['staff'] }, collection_acl_config: { payroll: { allow: ['hr'], deny: ['interns'] } },
    embeddings: EMBEDDINGS, vectordb: REDIS,
  },
  'ai-prompt-compressor': {
    compressor_type: 'rate', compressor_url: 'http://compress:8080',
    compression_ranges: [{ min_tokens: 20, max_tokens: 100, value: 0.8 }, { min_tokens: 100, max_tokens: 1000000, value: 0.3 }],
  },
  'ai-llm-as-judge': {
    sampling_rate: 0.25,
    llm: { route_type: 'llm/v1/chat', auth: { header_name: 'Authorization', header_value: 'Bearer sk-judge' }, model: { provider: 'openai', name: 'gpt-4o-mini', options: { temperature: 0, max_tokens: 5 } } },
  },
  'ai-mcp-proxy': {
    mode: 'conversion-listener', server: { timeout: 15000 },
    tools: [{ name: 'list_orders', description: "List a customer's orders", method: 'GET', path: '/orders', parameters: [{ name: 'customer', in: 'query', required: true, schema: { type: 'string' } }], acl: { allow: ['support'] } }],
  },
  'ai-mcp-oauth2': {
    resource: 'https://api.example.com/mcp', authorization_servers: ['https://auth.example.com'],
    consumer_claim: ['sub'], consumer_by: ['username', 'custom_id'], upstream_headers: [{ header: 'X-Org-Id', path: ['org', 'id'] }],
  },
  'ai-a2a-proxy': { logging: { log_statistics: true, log_payloads: false } },
  'ai-azure-content-safety': {
    content_safety_url: 'https://cs.example.test/contentsafety/text:analyze', content_safety_key: 'k', guarding_mode: 'BOTH',
    categories: [{ name: 'Hate', rejection_level: 4 }, { name: 'SelfHarm', rejection_level: 2 }], text_source: 'last_message',
  },
  'ai-aws-guardrails': { guardrails_id: 'gr-1', guardrails_version: '1', aws_region: 'eu-west-1', aws_access_key_id: 'AKIA', aws_secret_access_key: 's', guarding_mode: 'BOTH' },
  'ai-gcp-model-armor': {
    project_id: 'p', location_id: 'europe-west4', template_id: 't', guarding_mode: 'BOTH',
    gcp_use_service_account: true, gcp_service_account_json: '{"type":"service_account"}', request_failure_message: 'Blocked by policy.',
  },
  'ai-lakera-guard': { api_key: 'lk', project_id: 'project-1', guarding_mode: 'BOTH', reveal_failure_categories: true },
  'ai-custom-guardrail': {
    guarding_mode: 'BOTH', text_source: 'concatenate_all_content', params: { api_key: 'k', model: 'mistral-moderation-latest' },
    request: { url: 'https://api.mistral.ai/v1/moderations', headers: { Authorization: 'Bearer $(conf.params.api_key)' }, body: { model: '$(conf.params.model)', input: '$(content)' } },
    response: { block: '$(check_response.block)', block_message: '$(check_response.block_message)' },
    functions: { check_response: 'return function(resp) return { block = false, block_message = "ok" } end' },
  },
  'ai-sanitizer': {
    host: '127.0.0.1', port: 18081, anonymize: ['email', 'phone', 'creditcard', 'custom'],
    custom_patterns: [{ name: 'ticket_id', regex: 'TCK-[0-9]{6}', score: 0.9 }], redact_type: 'placeholder', sanitization_mode: 'BOTH', recover_redacted: true,
  },
};

describe('the AI plugins by Kong version', () => {
  it.each(SINCE)('%s exists from Kong %s on', async (name, from, before) => {
    const m = await source(name);
    expect(m.kongSince).toBe(from);
    expect(m.schema(before)).toBeNull();
    expect(m.schema(from)).not.toBeNull();
  });

  it("ai-sanitizer's fields arrive with their versions", async () => {
    const keys = async (v: string) => Object.keys((await source('ai-sanitizer')).schema(v)?.properties ?? {});
    expect(await keys('3.10')).not.toContain('sanitization_mode');
    expect(await keys('3.12')).toEqual(expect.arrayContaining(['sanitization_mode', 'block_if_detected']));
    expect(await keys('3.12')).not.toContain('skip_logging_sanitized_items');
    expect(await keys('3.13')).toContain('skip_logging_sanitized_items');
    expect(await keys('3.13')).not.toContain('allow_all_conversation_history');
    expect(await keys('3.14')).toContain('allow_all_conversation_history');
  });
});

describe('ai-rate-limiting-advanced by Kong version', () => {
  it("3.14's policies validate, and llm_providers is no longer required", () => {
    expect(errors('ai-rate-limiting-advanced', {
      strategy: 'local',
      policies: [
        { id: 'gold', match: [{ type: 'consumer_group', values: ['gold'] }, { type: 'model', values: ['gpt-4o'] }], limits: [{ limit: 100000, window_size: 3600 }] },
        { id: 'per-header', match: [{ type: 'header', key: 'x-team', partition_by: true }], limits: [{ limit: 5, window_size: 60, tokens_count_strategy: 'cost' }], window_type: 'fixed' },
        { limits: [{ limit: 1000, window_size: 60 }] },
      ],
    })).toEqual([]);
    expect(errors('ai-rate-limiting-advanced', { policies: [{ match: [{ type: 'tenant' }], limits: [] }] }).join('\n')).toMatch(/AIGW_VALUE expected one of: consumer, consumer_group, header, ip, model, path, provider[\s\S]*AIGW_VALUE/);
  });

  const POLICIES = { policies: [{ match: [{ type: 'model', partition_by: true }], limits: [{ limit: 100, window_size: 60 }] }] };

  it("3.14: policies and llm_providers exclude each other (Kong: 'Mutually exclusive with `llm_providers`'); a policy id is refused by serve", () => {
    const both = errors('ai-rate-limiting-advanced', { ...POLICIES, llm_providers: [{ name: 'openai', limit: [1], window_size: [60] }] });
    expect(both.join('\n')).toMatch(/only one or none of these fields must be set: 'llm_providers', 'policies'/);
    expect(check('ai-rate-limiting-advanced', { policies: [{ id: '2f1c7d52-6f0e-4a51-9d35-1c1b0b7d2a10' }] }).join('\n')).toMatch(/AIGW_UNSUPPORTED .*ai_rate_limiting_policies/);
  });

  it('3.10: policies is an unknown field and llm_providers is required', () => {
    useKongProfile('3.10');
    try {
      const found = errors('ai-rate-limiting-advanced', POLICIES).join('\n');
      expect(found).toMatch(/AIGW_UNKNOWN_FIELD unknown field 'policies'/);
      expect(found).toMatch(/llm_providers/);
    } finally {
      useKongProfile(DEFAULT_PROFILE);
    }
  });

  it('fields arrive with their versions: namespace 3.11, customCost 3.13, policies 3.14', async () => {
    const rla = await source('ai-rate-limiting-advanced');
    // the schema sources read the profile being built (dsl.mjs buildingFor)
    const dsl = (await import(pathToFileURL(join(ROOT, 'schemas', 'src', 'dsl.mjs')).href)) as { buildingFor: <T>(kong: string, make: () => T) => T };
    const built = (v: string) => dsl.buildingFor(v, () => rla.schema(v));
    const keys = (v: string) => Object.keys(built(v)?.properties ?? {});
    expect(keys('3.10')).not.toContain('namespace');
    expect(keys('3.11')).toEqual(expect.arrayContaining(['namespace', 'decrease_by_fractions_in_redis']));
    expect(keys('3.13')).toContain('custom_cost_count_function');
    expect(keys('3.13')).not.toContain('policies');
    expect(keys('3.14')).toContain('policies');
    const required = (v: string) => (built(v) as unknown as { required?: string[] }).required ?? [];
    expect(required('3.13')).toContain('llm_providers');
    expect(required('3.14')).not.toContain('llm_providers');
  });
});

describe("Kong 3.14's AI plugins", () => {
  it.each(Object.entries(VALID))('%s: a documented configuration validates', (name, config) => {
    expect(errors(name, config)).toEqual([]);
  });

  it("ai-lakera-guard, ai-a2a-proxy and ai-sanitizer need no config (every field has a default)", () => {
    for (const name of ['ai-lakera-guard', 'ai-a2a-proxy', 'ai-sanitizer']) expect(errors(name, null)).toEqual([]);
  });

  it('required fields are named', () => {
    expect(errors('ai-aws-guardrails', { guardrails_id: 'g' }).sort()).toEqual([
      '4:5 AIGW_REQUIRED aws_region: required field missing',
      '4:5 AIGW_REQUIRED guardrails_version: required field missing',
    ]);
    expect(errors('ai-mcp-proxy', {})).toEqual(['4:5 AIGW_REQUIRED mode: required field missing']);
    expect(errors('ai-custom-guardrail', { request: { headers: {} }, response: { block: 'true' } })).toEqual([
      '5:7 AIGW_REQUIRED url: required field missing',
      '7:7 AIGW_REQUIRED block_message: required field missing',
    ]);
  });

  it("Kong's entity checks, with Kong's messages", () => {
    expect(errors('ai-semantic-prompt-guard', { embeddings: EMBEDDINGS, vectordb: REDIS, rules: {} })).toEqual([
      "19:7 AIGW_ENTITY_CHECK at least one of these fields must be non-empty: 'config.rules.allow_prompts', 'config.rules.deny_prompts'",
    ]);
    expect(errors('ai-semantic-response-guard', { embeddings: EMBEDDINGS, vectordb: REDIS, rules: { allow_responses: [] } })).toEqual([
      "19:7 AIGW_ENTITY_CHECK at least one of these fields must be non-empty: 'config.rules.allow_responses', 'config.rules.deny_responses'",
    ]);
    const both = { ...(VALID['ai-mcp-oauth2'] as object), claim_to_header: [{ claim: 'sub', header: 'X-Sub' }] };
    expect(errors('ai-mcp-oauth2', both)).toEqual([
      "13:7 AIGW_ENTITY_CHECK only one or none of these fields must be set: 'config.claim_to_header', 'config.upstream_headers'",
    ]);
    const judge = VALID['ai-llm-as-judge'] as { llm: object };
    expect(errors('ai-llm-as-judge', { ...judge, http_proxy_host: 'proxy' })).toEqual([
      "17:7 AIGW_ENTITY_CHECK all or none of these fields must be set: 'http_proxy_host', 'http_proxy_port'",
    ]);
    expect(errors('ai-llm-as-judge', { llm: { route_type: 'llm/v1/chat', model: { provider: 'azure', name: 'gpt-4o' } } })).toContain(
      "8:11 AIGW_ENTITY_CHECK must set 'model.options.azure_instance' for azure provider",
    );
  });

  it('enums, ranges and lengths', () => {
    expect(errors('ai-azure-content-safety', { content_safety_url: 'u', guarding_mode: 'IN' })).toEqual([
      '6:22 AIGW_VALUE expected one of: INPUT, OUTPUT, BOTH',
    ]);
    expect(errors('ai-llm-as-judge', { ...(VALID['ai-llm-as-judge'] as object), sampling_rate: 2 })).toEqual(['5:22 AIGW_VALUE value should be between 0 and 1']);
    const many = Array.from({ length: 101 }, (_, i) => `prompt ${i}`);
    expect(errors('ai-semantic-prompt-guard', { embeddings: EMBEDDINGS, vectordb: REDIS, rules: { deny_prompts: many } })[0]).toMatch(/AIGW_VALUE .*100/);
    expect(errors('ai-semantic-prompt-guard', { embeddings: EMBEDDINGS, vectordb: REDIS, rules: { deny_prompts: ['x'.repeat(501)] } })[0]).toMatch(/AIGW_VALUE .*500/);
    expect(errors('ai-rag-injector', { ...(VALID['ai-rag-injector'] as object), max_filter_clauses: 0 })[0]).toMatch(/AIGW_VALUE value should be between 1 and 1000/);
    expect(errors('ai-mcp-proxy', { mode: 'conversion-listener', tools: [{ description: 'd', method: 'HEAD' }] })[0]).toMatch(/AIGW_VALUE expected one of: GET, POST, PUT, PATCH, DELETE/);
    expect(errors('ai-a2a-proxy', { logging: { max_payload_size: 0 } })[0]).toMatch(/AIGW_VALUE/);
  });

  it("a config of aigw's former built-in ai-sanitizer gets one error that says how to migrate", () => {
    const [e, ...rest] = errors('ai-sanitizer', { mode: 'block', block_status: 422, anonymize: ['email'] });
    expect(rest).toEqual([]);
    expect(e).toMatch(/^5:7 AIGW_MIGRATE .*rename the plugin to 'aigw-pii-sanitizer'/);
    expect(errors('ai-sanitizer', { anonymize: ['email', 'credit_card'] })[0]).toMatch(/AIGW_MIGRATE/);
    expect(errors('aigw-pii-sanitizer', { mode: 'block', block_status: 422, anonymize: ['email', 'credit_card'] })).toEqual([]);
  });

  it('the Lua functions of ai-custom-guardrail validate, with a warning that aigw serve cannot run them', () => {
    expect(check('ai-custom-guardrail', VALID['ai-custom-guardrail']).filter((l) => l.includes('AIGW_UNSUPPORTED'))).toEqual([
      "20:7 AIGW_UNSUPPORTED 'functions' is accepted for Kong compatibility but aigw serve refuses it: Lua functions cannot run in aigw; aigw serve refuses a plugin that defines them",
    ]);
  });
});
