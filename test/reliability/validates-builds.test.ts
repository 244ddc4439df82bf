/**
 * Reliability, issue 10 defect 2: whatever validates, builds. For every plugin aigw serves,
 * configs are generated from its JSON schema (required fields always, optional ones sometimes;
 * strings drawn from values that break naive code: `*`, `(`, regex-looking text, empty), and every
 * config that `validate` accepts must compile into a plugin instance (`parse` + `create`), as the
 * gateway builds it. A config that validates but cannot be built is the bug this test hunts.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { schemas, type JsonSchema } from '../../src/config/schemas.js';
import { validatePluginConfig } from '../../src/config/validate/index.js';
import { fillPluginDefaults } from '../../src/config/defaults.js';
import { memoryLogger } from '../../src/gateway/log.js';
import { createLlmCaller } from '../../src/gateway/llm/call/caller.js';
import { loadAllPlugins } from '../../src/gateway/plugins/index.js';
import { PluginStores } from '../../src/gateway/stores.js';
import type { PluginDeps } from '../../src/gateway/plugin.js';

const PLUGINS = await loadAllPlugins();
const TRICKY = ['*', '(', '[a-', '.*', '^a$', '', 'a', 'x-y', 'https://a.test', '/path', '\\', '{', '1'];

function arbitraryOf(schema: JsonSchema, rel: string, depth: number): fc.Arbitrary<unknown> {
  const reg = schemas();
  const r = schema.$ref !== undefined ? reg.resolve(schema, rel) : { schema, relPath: rel };
  const s = r.schema;
  const out: Array<fc.Arbitrary<unknown>> = [];
  if (s.default !== undefined) out.push(fc.constant(s.default));
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map((b) => arbitraryOf(b, r.relPath, depth)));
  const types = (Array.isArray(s.type) ? s.type : [s.type ?? 'object']).filter((t) => t !== 'null');
  for (const t of types) {
    if (t === 'string') out.push(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 6 })));
    else if (t === 'integer') out.push(fc.integer({ min: Number(s.minimum ?? -5), max: Math.min(Number(s.maximum ?? 100_000), 100_000) }));
    else if (t === 'number') out.push(fc.double({ min: Number(s.minimum ?? -5), max: Math.min(Number(s.maximum ?? 1e5), 1e5), noNaN: true }));
    else if (t === 'boolean') out.push(fc.boolean());
    else if (t === 'array' && s.items && depth < 4) out.push(fc.array(arbitraryOf(s.items, r.relPath, depth + 1), { maxLength: 3 }));
    else if (t === 'object' && depth < 4) out.push(objectOf(s, r.relPath, depth));
  }
  return out.length > 0 ? fc.oneof(...out) : fc.constant(null);
}

function objectOf(s: JsonSchema, rel: string, depth: number): fc.Arbitrary<unknown> {
  const props = Object.entries(s.properties ?? {});
  if (props.length === 0) {
    const values = typeof s.additionalProperties === 'object' ? arbitraryOf(s.additionalProperties, rel, depth + 1) : fc.string({ maxLength: 4 });
    return fc.dictionary(fc.constantFrom('a', 'x-b'), values, { maxKeys: 2 });
  }
  const required = new Set(s.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, p] of props) model[k] = arbitraryOf(p, rel, depth + 1);
  return fc.record(model, { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) });
}

/** Valid configs the generated ones are merged over or under, for plugins random values rarely satisfy. */
const SEEDS: Record<string, Record<string, unknown>> = {
  'ip-restriction': { allow: ['10.0.0.0/8'] },
  'rate-limiting': { second: null, minute: 10, hour: null, day: null, month: null, year: null, policy: 'local' },
  'request-transformer': {},
  'ai-rate-limiting-advanced': { llm_providers: [{ name: 'openai', limit: [100], window_size: [60] }] },
  'ai-proxy-advanced': { targets: [{ route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } }] },
  'ai-proxy': { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } },
  'ai-request-transformer': { prompt: 'x', llm: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } } },
  'ai-response-transformer': { prompt: 'x', llm: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } } },
  'ai-llm-as-judge': { llm: { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } } },
  'ai-azure-content-safety': { content_safety_url: 'https://a.test/contentsafety/text:analyze' },
  'rate-limiting-advanced': {
    limit: [10], window_size: [60], identifier: 'ip', compound_identifier: null, header_name: null, path: null, redis: {}, enforce_consumer_groups: false, error_code: 429,
  },
  'request-validator': { body_schema: '{"type":"object"}', version: 'draft4' },
  'openid-connect': { issuer: 'https://idp.test/.well-known/openid-configuration' },
  'kafka-log': { topic: 'logs', bootstrap_servers: [{ host: 'kafka.test', port: 9092 }] },
};

function configs(name: string): fc.Arbitrary<unknown> {
  // as a config arrives (parsed JSON or YAML): plain objects, never fast-check's null-prototype ones
  const generated = arbitraryOf(schemas().plugin(name)!, `plugins/${name}.json`, 0).map((g) => (g === undefined ? g : JSON.parse(JSON.stringify(g)) as unknown));
  const seed = SEEDS[name];
  if (!seed) return generated;
  const obj = generated.map((g) => (g !== null && typeof g === 'object' && !Array.isArray(g) ? g : {}));
  // a plugin with hundreds of fields (openid-connect) almost never validates whole: also the seed with one generated field
  const one = obj.map((g) => {
    const k = Object.keys(g as object)[0];
    return k === undefined ? { ...seed } : { ...seed, [k]: (g as Record<string, unknown>)[k] };
  });
  return fc.oneof(generated, obj.map((g) => ({ ...seed, ...g })), obj.map((g) => ({ ...g, ...seed })), one);
}

function deps(stores: PluginStores): PluginDeps {
  return {
    logger: memoryLogger(), store: stores.store('property'), shared: (key: string) => stores.store(`shared:${key}`), metrics: new Registry(), consumers: { byId: () => undefined } as never,
    env: {}, llm: createLlmCaller({ env: {} }), pluginId: '00000000-0000-4000-8000-000000000000',
    scope: { route: null, service: null, consumer: null }, now: Date.now,
  } as unknown as PluginDeps;
}

describe('whatever validates, builds', () => {
  // generated file-log paths ('x-y', '{'…) are created relative to the working directory: keep them out of the checkout
  const cwd = process.cwd();
  const scratch = mkdtempSync(join(tmpdir(), 'aigw-validates-builds-'));
  beforeAll(() => process.chdir(scratch));
  afterAll(() => {
    process.chdir(cwd);
    rmSync(scratch, { recursive: true, force: true });
  });
  for (const [name, plugin] of PLUGINS) {
    it(`${name}: every generated config that validates compiles`, async () => {
      const schema = schemas().plugin(name);
      expect(schema, `schemas/plugins/${name}.json`).toBeDefined();
      let valid = 0;
      const stores = new PluginStores();
      fc.assert(
        fc.property(configs(name), (config) => {
          const problems = validatePluginConfig(name, config) ?? [];
          if (problems.some((p) => p.severity === 'error')) return;
          valid++;
          const filled = fillPluginDefaults(name, config as Record<string, unknown>);
          try {
            const parsed = plugin.parse ? plugin.parse(filled as never) : filled;
            plugin.create(parsed as never, deps(stores));
          } catch (err) {
            // validate warned that aigw serve cannot honour a value: refusing it at load is the contract
            if (problems.some((p) => p.code === 'AIGW_UNSUPPORTED')) return;
            // a plugin or a route type serve does not run is refused at startup with the reason: the contract
            if (/cannot run in aigw serve|is not served by aigw serve/.test((err as Error).message)) return;
            throw err;
          }
        }),
        { numRuns: 150 },
      );
      await stores.disposeAll();
      // the generator must reach valid configs, or the property says nothing
      expect(valid).toBeGreaterThan(0);
    });
  }
});

describe('configs this test found, refused at validate (fixed cases)', () => {
  const llm = { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } };
  const problems = (name: string, config: unknown) => (validatePluginConfig(name, config) ?? []).map((p) => `${p.severity} ${p.code} ${p.message}`);

  it('ai-proxy-advanced without targets', () => {
    expect(problems('ai-proxy-advanced', { targets: [] })).toEqual([expect.stringMatching(/^error AIGW_VALUE .*targets: length must be at least 1/)]);
  });

  it('ai-azure-content-safety with a content_safety_url that is not a URL (Kong typedefs.url)', () => {
    expect(problems('ai-azure-content-safety', { content_safety_url: '' })).toEqual([expect.stringMatching(/^error .*content_safety_url: missing host in url/)]);
    expect(problems('ai-azure-content-safety', { content_safety_url: 'a.test/x' })).toEqual([expect.stringMatching(/content_safety_url: missing host in url/)]);
    expect(problems('ai-azure-content-safety', { content_safety_url: '//a.test/x' })).toEqual([expect.stringMatching(/content_safety_url: missing scheme in url/)]);
    expect(problems('ai-azure-content-safety', { content_safety_url: 'https://a.test/contentsafety/text:analyze' })).toEqual([]);
  });

  it('ai-llm-as-judge through a forward proxy: a warning that serve refuses it', () => {
    expect(problems('ai-llm-as-judge', { llm, http_proxy_host: 'proxy.test', http_proxy_port: 3128 })).toEqual([expect.stringMatching(/^warning AIGW_UNSUPPORTED .*forward proxy/)]);
  });
});
