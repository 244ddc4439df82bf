import { describe, expect, it } from 'vitest';
import {
  annotationProblems, defaultProblems, entityCheckProblems, propertyProblems, refProblems,
} from './conventions.js';
import { PROFILE_DIRS, loadAll, newAjv, pluginFiles, schemaFiles, type JsonObject } from './schema-set.js';

const PLUGINS = [
  'ai-proxy', 'ai-proxy-advanced', 'ai-prompt-guard', 'ai-prompt-decorator', 'ai-prompt-template', 'ai-request-transformer',
  'ai-response-transformer', 'ai-rate-limiting-advanced', 'ai-semantic-cache', 'ai-sanitizer', 'key-auth', 'basic-auth', 'jwt',
  'acl', 'rate-limiting', 'ip-restriction', 'cors', 'request-size-limiting', 'request-transformer', 'correlation-id',
  'prometheus', 'file-log', 'http-log', 'request-termination', 'response-transformer', 'proxy-cache', 'rate-limiting-advanced', 'request-validator', 'opentelemetry', 'aigw-pii-sanitizer', 'ai-semantic-prompt-guard', 'ai-semantic-response-guard',
  'ai-rag-injector', 'ai-prompt-compressor', 'ai-llm-as-judge', 'ai-mcp-proxy', 'ai-mcp-oauth2', 'ai-a2a-proxy',
  'ai-azure-content-safety', 'ai-aws-guardrails', 'ai-gcp-model-armor', 'ai-lakera-guard', 'ai-custom-guardrail', 'openid-connect', 'kafka-log',
];
const ENTITIES = [
  'service', 'route', 'consumer', 'consumer_group', 'consumer_group_consumer', 'consumer_group_plugin', 'plugin', 'upstream', 'target', 'certificate',
  'sni', 'ca_certificate', 'vault', 'keyauth_credential', 'basicauth_credential', 'jwt_secret', 'hmacauth_credential', 'oauth2_credential', 'mtls_auth_credential', 'acl', 'partial', 'key_set', 'key', 'filter_chain',
];

describe('schema files', () => {
  it('cover every plugin and entity of the brief', () => {
    expect(pluginFiles()).toEqual(PLUGINS.map((p) => `plugins/${p}.json`).sort());
    expect(schemaFiles().filter((f) => f.startsWith('entities/'))).toEqual(ENTITIES.map((e) => `entities/${e}.json`).sort());
  });

  it('every profile has the same files, but for the AI partial types (Kong 3.13+) and the AI plugins Kong added after 3.10', () => {
    const ai = ['partials/embeddings.json', 'partials/model.json', 'partials/vectordb.json'];
    const later = ['ai-a2a-proxy', 'ai-aws-guardrails', 'ai-custom-guardrail', 'ai-gcp-model-armor', 'ai-lakera-guard', 'ai-llm-as-judge',
      'ai-mcp-oauth2', 'ai-mcp-proxy', 'ai-prompt-compressor', 'ai-semantic-response-guard'].map((p) => `plugins/${p}.json`);
    expect(schemaFiles('konnect')).toEqual(schemaFiles());
    expect(schemaFiles('3.10')).toEqual(schemaFiles().filter((f) => !ai.includes(f) && !later.includes(f)));
  });
});

describe.each(PROFILE_DIRS)('schema files of the profile %j', (profile) => {
  const { ajv, schemas } = loadAll(profile);
  const ids = new Set(schemas.keys());
  const files = schemaFiles(profile);

  it.each(files)('%s is draft-07 with $id = its path', (file) => {
    const s = schemas.get(file) as JsonObject;
    expect(s.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(s.$id).toBe(file);
  });

  it.each(files)('%s compiles with strict Ajv and all its $refs resolve', (file) => {
    expect(() => ajv.getSchema(file)).not.toThrow();
    expect(ajv.getSchema(file)).toBeTypeOf('function');
    expect(refProblems(file, schemas.get(file) as JsonObject, ids)).toEqual([]);
  });

  it.each(files)('%s: every default validates against its own property schema', (file) => {
    expect(defaultProblems(file, schemas.get(file) as JsonObject)).toEqual([]);
  });

  it.each(files)('%s follows the property conventions', (file) => {
    expect(propertyProblems(file, schemas.get(file) as JsonObject)).toEqual([]);
  });

  it.each(files)('%s: entity checks name existing fields; annotations are coherent', (file) => {
    const s = schemas.get(file) as JsonObject;
    expect(entityCheckProblems(file, s)).toEqual([]);
    expect(annotationProblems(file, s)).toEqual([]);
  });

  it.each(files.filter((f) => f.startsWith('plugins/')))('%s carries x-kong-plugin and an integer x-kong-priority', (file) => {
    const s = schemas.get(file) as JsonObject;
    expect(`plugins/${String(s['x-kong-plugin'])}.json`).toBe(file);
    expect(Number.isInteger(s['x-kong-priority'])).toBe(true);
    expect(s.type).toBe('object');
  });
});

describe('the convention checks catch broken schemas', () => {
  it('strict Ajv rejects an unknown keyword', () => {
    expect(() => newAjv().compile({ type: 'object', 'x-typo': true })).toThrow(/unknown keyword/);
  });

  it('reports an unresolvable $ref', () => {
    const s: JsonObject = { $id: 'entities/x.json', properties: { a: { $ref: 'nope.json' } } };
    expect(refProblems('x', s, new Set(['entities/x.json']))).toEqual(['x/properties/a: $ref nope.json does not resolve']);
    expect(refProblems('x', s, new Set(['entities/x.json', 'entities/nope.json']))).toEqual([]);
  });

  it('reports a default that its own schema rejects', () => {
    const s: JsonObject = { properties: { n: { type: 'integer', minimum: 1, default: 0 } } };
    expect(defaultProblems('x', s)).toHaveLength(1);
  });

  it('reports missing descriptions, optional non-nullables, nullable enums without null, open records', () => {
    const s: JsonObject = {
      type: 'object',
      properties: {
        a: { type: 'string' },
        b: { description: 'b', type: ['string', 'null'], enum: ['x'] },
        c: { description: 'c', type: 'object', properties: { d: { description: 'd', type: 'string' } }, required: ['d'] },
      },
      additionalProperties: false,
    };
    const problems = propertyProblems('x', s);
    expect(problems).toContain('x/properties/a: no description');
    expect(problems).toContain('x/properties/a: optional but does not accept null');
    expect(problems).toContain('x/properties/b: nullable enum without null');
    expect(problems).toContain('x/properties/c: record is not closed');
    expect(problems).toContain('x/properties/c: optional but does not accept null');
  });

  it('reports entity checks on unknown fields and annotations of non-enum values', () => {
    const s: JsonObject = {
      properties: { a: { type: 'string', enum: ['x'], 'x-aigw-unsupported-values': { y: 'no' } } },
      'x-entity-checks': [{ at_least_one_of: ['a', 'b.c'] }, { custom: 'id' }],
    };
    expect(entityCheckProblems('x', s)).toEqual([
      "x: check names unknown field 'b.c'",
      'x: custom check without id and message',
    ]);
    expect(annotationProblems('x', s)).toEqual(["x/properties/a: x-aigw-unsupported-values names 'y', not an enum value"]);
  });
});
