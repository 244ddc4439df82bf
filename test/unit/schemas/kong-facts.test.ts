import { describe, expect, it } from 'vitest';
import { type Json, type JsonObject, isObject, loadAll, propertyAt, walk } from './schema-set.js';

const { ajv, schemas } = loadAll();

function plugin(name: string): JsonObject {
  const s = schemas.get(`plugins/${name}.json`);
  if (!s) throw new Error(`no schema for ${name}`);
  return s;
}

function prop(name: string, dotted: string): JsonObject {
  const p = propertyAt(plugin(name), dotted);
  if (!p) throw new Error(`${name}: no property ${dotted}`);
  return p;
}

function checks(s: JsonObject): Json[] {
  const c = s['x-entity-checks'];
  return Array.isArray(c) ? c : [];
}

function validate(name: string, config: Json): boolean {
  const v = ajv.getSchema(`plugins/${name}.json`);
  if (!v) throw new Error(`no validator for ${name}`);
  return v(config) as boolean;
}

describe('Kong 3.14 facts in the plugin schemas (the default profile)', () => {
  it('ai-proxy: defaults, ranges, enums and priority', () => {
    expect(plugin('ai-proxy')['x-kong-priority']).toBe(770);
    expect(prop('ai-proxy', 'max_request_body_size').default).toBe(1048576);
    expect(prop('ai-proxy', 'response_streaming')).toMatchObject({ default: 'allow', enum: ['allow', 'deny', 'always'] });
    expect(prop('ai-proxy', 'model_name_header').default).toBe(true);
    expect(prop('ai-proxy', 'llm_format').enum).toEqual(['openai', 'bedrock', 'gemini', 'cohere', 'huggingface', 'anthropic']);
    expect(prop('ai-proxy', 'llm_format')['x-aigw-extension-values']).toBeUndefined();
    expect(prop('ai-proxy', 'route_type').enum).toEqual([
      'llm/v1/chat', 'llm/v1/completions', 'preserve', 'llm/v1/embeddings', 'llm/v1/responses', 'llm/v1/assistants', 'llm/v1/files',
      'llm/v1/batches', 'audio/v1/audio/speech', 'audio/v1/audio/transcriptions', 'audio/v1/audio/translations',
      'image/v1/images/generations', 'image/v1/images/edits', 'realtime/v1/realtime', 'video/v1/videos/generations',
    ]);
    expect(prop('ai-proxy', 'model.provider').enum).toEqual([
      'openai', 'azure', 'anthropic', 'cohere', 'mistral', 'llama2', 'gemini', 'bedrock', 'huggingface',
      'deepseek', 'xai', 'vllm', 'ollama', 'cerebras', 'dashscope', 'databricks',
    ]);
    expect(prop('ai-proxy', 'model.options.dashscope.international').default).toBe(true);
    expect(prop('ai-proxy', 'model.options.databricks.workspace_instance_id').type).toEqual(['string', 'null']);
    expect(prop('ai-proxy', 'model.provider')['x-aigw-extension-values']).toBeUndefined();
    expect(prop('ai-proxy', 'genai_category')).toMatchObject({ default: 'text/generation' });
    expect(prop('ai-proxy', 'genai_category').enum).toContain('video/generation');
    expect(prop('ai-proxy', 'model.model_alias').type).toEqual(['string', 'null']);
    for (const f of ['cache_read_cost', 'cache_write_cost', 'cache_write_cost_list', 'context_window_factor', 'service_tier_factor']) {
      expect(prop('ai-proxy', `model.options.${f}`)).toBeDefined();
    }
    expect(plugin('ai-proxy')['x-kong-protocols']).toEqual({ default: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'], one_of: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] });
    expect(prop('ai-proxy', 'model.options.temperature')).toMatchObject({ minimum: 0, maximum: 5 });
    expect(prop('ai-proxy', 'model.options.top_k')).toMatchObject({ minimum: 0, maximum: 500 });
    expect(prop('ai-proxy', 'model.options.input_cost').exclusiveMinimum).toBe(0);
    expect(prop('ai-proxy', 'model.options.azure_api_version').default).toBe('2023-05-15');
    expect(prop('ai-proxy', 'logging.log_statistics').default).toBe(false);
    expect(prop('ai-proxy', 'auth.allow_override').default).toBe(false);
    expect(prop('ai-proxy', 'auth.header_value')).toMatchObject({ 'x-secret': true, 'x-referenceable': true });
    expect(plugin('ai-proxy').required).toEqual(['route_type', 'model']);
    expect(checks(plugin('ai-proxy'))).toContainEqual(expect.objectContaining({
      message: 'bedrock and gemini only support auth.allow_override = false',
    }));
    expect(checks(plugin('ai-proxy'))).toContainEqual(expect.objectContaining({
      message: "must set 'model.options.azure_instance' for azure provider",
    }));
  });

  it('ai-proxy: validates a config and rejects bad ones', () => {
    const ok = { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o', options: { temperature: 0.2 } } };
    expect(validate('ai-proxy', ok)).toBe(true);
    expect(validate('ai-proxy', { ...ok, auth: null, llm_format: 'anthropic' })).toBe(true);
    expect(validate('ai-proxy', { ...ok, model: { provider: 'acme' } })).toBe(false);
    expect(validate('ai-proxy', { ...ok, model: { provider: 'openai', options: { temperature: 5.5 } } })).toBe(false);
    expect(validate('ai-proxy', { ...ok, max_request_body_size: null })).toBe(false);
    expect(validate('ai-proxy', { ...ok, unknown_field: 1 })).toBe(false);
    expect(validate('ai-proxy', { model: ok.model })).toBe(false);
  });

  it('ai-proxy-advanced: balancer and targets', () => {
    expect(prop('ai-proxy-advanced', 'balancer.algorithm')).toMatchObject({ default: 'round-robin' });
    expect(prop('ai-proxy-advanced', 'balancer.algorithm').enum).toContain('least-connections');
    expect(prop('ai-proxy-advanced', 'balancer.retries').default).toBe(5);
    expect(prop('ai-proxy-advanced', 'balancer.failover_criteria').default).toEqual(['error', 'timeout']);
    expect(prop('ai-proxy-advanced', 'balancer.hash_on_header').default).toBe('X-Kong-LLM-Request-ID');
    expect(prop('ai-proxy-advanced', 'balancer.connect_timeout').default).toBe(60000);
    const target = prop('ai-proxy-advanced', 'targets').items as JsonObject;
    expect(propertyAt(target, 'weight')).toMatchObject({ default: 100, minimum: 1, maximum: 65535 });
    expect(prop('ai-proxy-advanced', 'vectordb.strategy')['x-aigw-unsupported-values']).toHaveProperty('pgvector');
    expect(prop('ai-proxy-advanced', 'vectordb.strategy').default).toBeUndefined();
    expect(prop('ai-proxy-advanced', 'balancer.max_fails')).toMatchObject({ default: 0, minimum: 0, maximum: 32767 });
    expect(prop('ai-proxy-advanced', 'balancer.fail_timeout')).toMatchObject({ default: 10000, minimum: 1 });
    expect(prop('ai-proxy-advanced', 'balancer.tokens_count_strategy').enum).toContain('llm-accuracy');
    expect(propertyAt(target, 'metadata')).toBeDefined();
    expect(propertyAt(target, 'model.model_alias')).toBeDefined();
    const rule = (prop('ai-proxy-advanced', 'acls.deny').items as JsonObject);
    const match = (propertyAt(rule, 'match') as JsonObject).items as JsonObject;
    expect(propertyAt(match, 'type')?.enum).toEqual(['consumer', 'consumer_group', 'header', 'ip', 'model', 'path', 'provider']);
    expect(prop('ai-proxy-advanced', 'genai_category').enum).toContain('realtime/generation');
  });

  it('ai-semantic-cache: memory is the aigw default vector store', () => {
    expect(prop('ai-semantic-cache', 'vectordb.strategy')).toMatchObject({ default: 'memory', enum: ['memory', 'redis', 'pgvector'] });
    expect(prop('ai-semantic-cache', 'vectordb.pgvector')['x-aigw-unsupported']).toBeTypeOf('string');
    expect(prop('ai-semantic-cache', 'cache_ttl').default).toBe(300);
    expect(prop('ai-semantic-cache', 'message_countback')).toMatchObject({ default: 1, minimum: 1, maximum: 1000 });
    expect(prop('ai-semantic-cache', 'vectordb.redis.port').default).toBe(6379);
  });

  it('ai-prompt-guard, decorator and template limits', () => {
    expect(prop('ai-prompt-guard', 'allow_patterns')).toMatchObject({ maxItems: 10, items: { minLength: 1, maxLength: 500 } });
    expect(checks(plugin('ai-prompt-guard'))).toContainEqual({ at_least_one_of: ['allow_patterns', 'deny_patterns'] });
    expect(validate('ai-prompt-guard', { deny_patterns: Array.from({ length: 11 }, () => 'x') })).toBe(false);
    expect(prop('ai-prompt-decorator', 'prompts.prepend')).toMatchObject({ maxItems: 15 });
    const msg = prop('ai-prompt-decorator', 'prompts.prepend').items as JsonObject;
    expect(propertyAt(msg, 'role')).toMatchObject({ default: 'system', enum: ['system', 'assistant', 'user'] });
    expect(propertyAt(msg, 'content')).toMatchObject({ minLength: 1, maxLength: 100000 });
    expect(prop('ai-prompt-template', 'allow_untemplated_requests').default).toBe(true);
    expect(plugin('ai-prompt-template').required).toEqual(['templates']);
    expect(plugin('ai-prompt-guard')['x-kong-priority']).toBe(771);
    expect(plugin('ai-prompt-decorator')['x-kong-priority']).toBe(772);
    expect(plugin('ai-prompt-template')['x-kong-priority']).toBe(773);
  });

  it('ai transformers require an llm/v1/chat LLM', () => {
    expect(plugin('ai-request-transformer')['x-kong-priority']).toBe(777);
    expect(plugin('ai-response-transformer')['x-kong-priority']).toBe(768);
    expect(prop('ai-request-transformer', 'http_timeout').default).toBe(60000);
    expect(prop('ai-response-transformer', 'parse_llm_response_json_instructions').default).toBe(false);
    expect(checks(plugin('ai-request-transformer'))).toContainEqual(expect.objectContaining({
      message: "'config.llm.route_type' must be 'llm/v1/chat' for AI transformer plugins",
    }));
  });

  it('ai-rate-limiting-advanced defaults', () => {
    expect(prop('ai-rate-limiting-advanced', 'error_message').default).toBe('AI token rate limit exceeded for provider(s): ');
    expect(prop('ai-rate-limiting-advanced', 'strategy')['x-aigw-unsupported-values']).toHaveProperty('cluster');
    expect(prop('ai-rate-limiting-advanced', 'window_type').default).toBe('sliding');
    expect(prop('ai-rate-limiting-advanced', 'tokens_count_strategy').default).toBe('total_tokens');
    expect(prop('ai-rate-limiting-advanced', 'request_prompt_count_function')['x-aigw-unsupported']).toBeTypeOf('string');
  });

  it('aigw-pii-sanitizer: the small aigw config', () => {
    expect(prop('aigw-pii-sanitizer', 'mode')).toMatchObject({ default: 'placeholder', enum: ['redact', 'placeholder', 'block'] });
    expect(prop('aigw-pii-sanitizer', 'restore_response').default).toBe(true);
    expect(validate('aigw-pii-sanitizer', { anonymize: ['email', 'custom'], custom_patterns: [{ name: 'ticket', regex: 'T-\\d+' }] }))
      .toBe(true);
    expect(validate('aigw-pii-sanitizer', { anonymize: ['ssn'] })).toBe(false);
    expect(validate('aigw-pii-sanitizer', { custom_patterns: [{ name: 'x' }] })).toBe(false);
  });

  it("ai-sanitizer: Kong's PII-service client", () => {
    expect(plugin('ai-sanitizer')['x-kong-priority']).toBe(776);
    expect(prop('ai-sanitizer', 'port').default).toBe(8080);
    expect(prop('ai-sanitizer', 'anonymize').default).toEqual(['all_and_credentials']);
    expect(validate('ai-sanitizer', { host: 'pii', port: 18081, anonymize: ['email', 'creditcard', 'custom'], custom_patterns: [{ name: 't', regex: 'T-\\d+', score: 0.9 }], redact_type: 'synthetic', sanitization_mode: 'BOTH' }))
      .toBe(true);
    expect(validate('ai-sanitizer', { anonymize: ['credit_card'] })).toBe(false);
    expect(validate('ai-sanitizer', { custom_patterns: [] })).toBe(false);
  });

  it('core plugins: defaults, priorities and checks', () => {
    expect(prop('key-auth', 'key_names').default).toEqual(['apikey']);
    expect(plugin('key-auth')['x-kong-priority']).toBe(1250);
    expect(prop('rate-limiting', 'policy')).toMatchObject({ default: 'local', enum: ['local', 'cluster', 'redis'] });
    expect(prop('rate-limiting', 'policy')['x-aigw-unsupported-values']).toHaveProperty('cluster');
    expect(prop('rate-limiting', 'error_message').default).toBe('API rate limit exceeded');
    expect(prop('rate-limiting', 'redis.timeout').default).toBe(2000);
    expect(prop('rate-limiting', 'redis.password')['x-secret']).toBe(true);
    expect(checks(plugin('rate-limiting'))).toContainEqual(expect.objectContaining({ custom: 'rate-limiting-periods-order' }));
    expect(validate('rate-limiting', { minute: 0 })).toBe(false);
    expect(validate('rate-limiting', { minute: 5, policy: 'redis', redis: { host: 'r', port: 6379 } })).toBe(true);
    expect(prop('basic-auth', 'realm').default).toBe('service');
    expect(prop('jwt', 'maximum_expiration')).toMatchObject({ default: 0, minimum: 0, maximum: 31536000 });
    expect(prop('jwt', 'header_names').default).toEqual(['authorization']);
    expect(checks(plugin('acl'))).toEqual([{ only_one_of: ['allow', 'deny'] }, { at_least_one_of: ['allow', 'deny'] }]);
    expect(plugin('cors')['x-kong-priority']).toBe(2000);
    expect(prop('correlation-id', 'generator').default).toBe('uuid#counter');
    expect(plugin('correlation-id')['x-kong-priority']).toBe(100001);
    expect(prop('request-size-limiting', 'allowed_payload_size').default).toBe(128);
    expect(prop('request-size-limiting', 'size_unit').default).toBe('megabytes');
    expect(prop('http-log', 'http_endpoint')['x-secret']).toBe(true);
    expect(plugin('http-log').required).toEqual(['http_endpoint']);
    expect(prop('http-log', 'queue.max_batch_size').default).toBe(1);
    expect(prop('http-log', 'custom_fields_by_lua')['x-aigw-unsupported']).toBeTypeOf('string');
    expect(plugin('file-log').required).toEqual(['path']);
    expect(plugin('prometheus')['x-kong-priority']).toBe(13);
    expect(validate('request-transformer', { add: { headers: ['x-a:1'] } })).toBe(true);
    expect(validate('request-transformer', { add: { headers: ['no-colon'] } })).toBe(false);
  });

  it('marks every credential and AI auth value as secret', () => {
    const secrets: string[] = [];
    for (const [file, s] of schemas) {
      walk(s, (node, path) => {
        if (node['x-secret'] === true) secrets.push(`${file}${path}`);
      });
    }
    for (const expected of [
      'plugins/ai-proxy.json/properties/auth/properties/param_value',
      'plugins/ai-proxy.json/properties/auth/properties/aws_secret_access_key',
      'plugins/ai-proxy.json/properties/auth/properties/gcp_service_account_json',
      'plugins/ai-semantic-cache.json/properties/vectordb/properties/redis/properties/password',
      'entities/keyauth_credential.json/properties/key',
      'entities/basicauth_credential.json/properties/password',
      'entities/jwt_secret.json/properties/secret',
      'entities/certificate.json/properties/key',
    ]) {
      expect(secrets).toContain(expected);
    }
    expect(secrets.every((p) => !p.includes('header_name'))).toBe(true);
  });

  it('every plugin root is a closed object', () => {
    for (const [file, s] of schemas) {
      if (file.startsWith('plugins/')) {
        expect(s.additionalProperties).toBe(false);
        expect(isObject(s.properties)).toBe(true);
      }
    }
  });
});

describe('Kong 3.10 facts in the 3.10 profile (schemas/3.10/)', () => {
  const old = loadAll('3.10');
  const prop10 = (name: string, dotted: string): JsonObject | undefined => propertyAt(old.schemas.get(`plugins/${name}.json`) as JsonObject, dotted);
  const validate10 = (name: string, config: Json): boolean => old.ajv.getSchema(`plugins/${name}.json`)?.(config) as boolean;

  it('ai-proxy: 3.10 enums, with what aigw serves ahead marked as extensions', () => {
    expect(prop10('ai-proxy', 'max_request_body_size')?.default).toBe(8192);
    expect(prop10('ai-proxy', 'route_type')?.enum).toEqual(['llm/v1/chat', 'llm/v1/completions', 'preserve', 'llm/v1/embeddings']);
    expect(prop10('ai-proxy', 'route_type')?.['x-aigw-extension-values']).toEqual({ 'llm/v1/embeddings': 'Kong 3.11+; Kong 3.10 rejects it' });
    expect(prop10('ai-proxy', 'llm_format')?.enum).toEqual(['openai', 'bedrock', 'gemini', 'anthropic']);
    expect(prop10('ai-proxy', 'llm_format')?.['x-aigw-extension-values']).toHaveProperty('anthropic');
    // Kong 3.10's nine, then the later ones aigw serves, marked as extensions
    expect(prop10('ai-proxy', 'model.provider')?.enum).toEqual(
      ['openai', 'azure', 'anthropic', 'cohere', 'mistral', 'llama2', 'gemini', 'bedrock', 'huggingface',
        'deepseek', 'xai', 'vllm', 'ollama', 'cerebras', 'dashscope', 'databricks'],
    );
    expect(prop10('ai-proxy', 'model.provider')?.['x-aigw-extension-values']).toMatchObject({
      deepseek: 'Kong 3.14+; Kong 3.10 rejects it', xai: 'Kong 3.13+; Kong 3.10 rejects it', databricks: 'Kong 3.14+; Kong 3.10 rejects it',
    });
    expect(prop10('ai-proxy', 'model.options.databricks')?.['x-aigw-extension']).toBe('Kong 3.14+; Kong 3.10 rejects it');
    for (const f of ['genai_category', 'model.model_alias', 'model.options.cache_read_cost']) expect(prop10('ai-proxy', f)).toBeUndefined();
    expect(prop10('ai-proxy-advanced', 'acls')).toBeUndefined();
    expect(prop10('ai-proxy-advanced', 'balancer.max_fails')).toBeUndefined();
    expect(prop10('ai-proxy-advanced', 'balancer.algorithm')?.['x-aigw-extension-values']).toHaveProperty('least-connections');
    expect(prop10('key-auth', 'hide_credentials')?.default).toBe(false);
    const msg = prop10('ai-prompt-decorator', 'prompts.prepend')?.items as JsonObject;
    expect(propertyAt(msg, 'content')).toMatchObject({ maxLength: 500 });
  });

  it('a 3.14 config is refused by the 3.10 profile and accepted by the default one', () => {
    const responses = { route_type: 'llm/v1/responses', genai_category: 'text/generation', model: { provider: 'openai', name: 'gpt-4.1' } };
    expect(validate('ai-proxy', responses)).toBe(true);
    expect(validate10('ai-proxy', responses)).toBe(false);
    const alias = { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o', model_alias: 'fast' } };
    expect(validate('ai-proxy', alias)).toBe(true);
    expect(validate10('ai-proxy', alias)).toBe(false);
  });
});
