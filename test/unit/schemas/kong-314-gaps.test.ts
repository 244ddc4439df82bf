/**
 * Kong 3.14 fields the 3.14 profile lacked, and what `aigw serve` does with them:
 * opentelemetry `metrics.enable_ai_metrics` (3.14), request-validator `array_length_compat` (3.12),
 * and Kong's enums of opentelemetry `propagation.extract` and ai-llm-as-judge `llm.route_type`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';
import { useKongProfile } from '../../../src/config/schemas.js';
import { DEFAULT_PROFILE, type KongProfile } from '../../../src/config/kong-version.js';
import { parseOtelConfig } from '../../../src/gateway/plugins/opentelemetry/config.js';
import { parseValidatorConfig } from '../../../src/gateway/plugins/request-validator/index.js';
import { notServed } from '../../../src/gateway/not-served.js';

afterEach(() => useKongProfile(DEFAULT_PROFILE));

/** `line:col code message` of each issue of a file, under a profile. */
function issues(text: string, profile: KongProfile = '3.14'): string[] {
  useKongProfile(profile);
  const r = loadText(text, { env: {}, name: 'kong.yaml' });
  return r.issues.map((i) => `${i.line ?? 0}:${i.column ?? 0} ${i.severity} ${i.code} ${i.message}`);
}

const OTEL = `_format_version: "3.0"
plugins:
  - name: opentelemetry
    config:
      traces_endpoint: http://collector:4318/v1/traces
      metrics:
        enable_ai_metrics: true
`;

describe('opentelemetry metrics.enable_ai_metrics (Kong 3.14)', () => {
  it('validates under 3.14; 3.10 has no metrics record (Kong 3.13)', () => {
    expect(issues(OTEL)).toEqual([]);
    expect(issues(OTEL, '3.10')).toEqual(["6:7 error AIGW_UNKNOWN_FIELD unknown field 'metrics'"]);
  });

  it('defaults to false; serve runs it: without metrics.endpoint Kong exports no metrics either', () => {
    useKongProfile('3.14');
    const r = loadText(OTEL.replace('enable_ai_metrics: true', 'push_interval: 30'), { env: {}, name: 'kong.yaml' });
    expect((r.state?.entities.plugins[0].config as { metrics: Record<string, unknown> }).metrics.enable_ai_metrics).toBe(false);
    const config = { traces_endpoint: 'http://collector:4318/v1/traces', metrics: { enable_ai_metrics: true, endpoint: null } };
    expect(() => parseOtelConfig(config as never)).not.toThrow();
    // with an endpoint the metrics (AI ones included) are refused, as before
    expect(() => parseOtelConfig({ ...config, metrics: { enable_ai_metrics: true, endpoint: 'http://collector:4318/v1/metrics' } } as never)).toThrow(/metrics\.endpoint/);
  });
});

describe('opentelemetry propagation.extract: Kong reads b3-single as b3', () => {
  it('refuses b3-single in extract and keeps it in inject', () => {
    const text = (field: string) => `${OTEL.replace(/ {6}metrics:\n.*\n/, '')}      propagation:\n        ${field}: [b3-single]\n`;
    expect(issues(text('extract')).filter((l) => l.includes('error'))).toEqual([
      '7:19 error AIGW_VALUE expected one of: w3c, b3, jaeger, ot, aws, gcp, datadog, instana',
    ]);
    expect(issues(text('inject')).filter((l) => l.includes('error'))).toEqual([]);
  });
});

const VALIDATOR = (extra: string) => `_format_version: "3.0"
plugins:
  - name: request-validator
    config:
      body_schema: '{"type":"object","properties":{"tags":{"type":"array","minLength":2}}}'
      version: draft4
${extra}`;

describe('request-validator array_length_compat (Kong 3.12)', () => {
  it('validates under 3.14 and defaults to true; 3.10 does not know it', () => {
    expect(issues(VALIDATOR('      array_length_compat: false\n'))).toEqual([]);
    expect(issues(VALIDATOR('      array_length_compat: false\n'), '3.10')).toEqual(["7:7 error AIGW_UNKNOWN_FIELD unknown field 'array_length_compat'"]);
    useKongProfile('3.14');
    const r = loadText(VALIDATOR(''), { env: {}, name: 'kong.yaml' });
    expect((r.state?.entities.plugins[0].config as Record<string, unknown>).array_length_compat).toBe(true);
  });

  it('serve: true bounds arrays by minLength/maxLength (item count); false bounds strings only', () => {
    const body = '{"type":"object","properties":{"tags":{"type":"array","minLength":2,"maxLength":3},"name":{"type":"string","minLength":2}}}';
    for (const version of ['draft4', 'draft7', 'draft202012']) {
      const on = parseValidatorConfig({ body_schema: body, version, array_length_compat: true }).body as (b: unknown) => unknown;
      const off = parseValidatorConfig({ body_schema: body, version, array_length_compat: false }).body as (b: unknown) => unknown;
      expect(on({ tags: ['a', 'b'], name: 'ok' }), version).toBeNull();
      expect(on({ tags: ['a'] }), version).toBe('property tags validation failed: must NOT have fewer than 2 items');
      expect(on({ tags: ['a', 'b', 'c', 'd'] }), version).toBe('property tags validation failed: must NOT have more than 3 items');
      expect(on({ name: 'x' }), version).toBe('property name validation failed: must NOT have fewer than 2 characters');
      expect(off({ tags: ['a'] }), version).toBeNull();
      // a schema's own minItems wins over the copy
      const own = parseValidatorConfig({ body_schema: '{"type":"array","minLength":3,"minItems":1}', version, array_length_compat: true }).body as (b: unknown) => unknown;
      expect(own(['a']), version).toBeNull();
    }
    // the 3.10 profile has no such field: lengths bound strings only, as before
    expect((parseValidatorConfig({ body_schema: body, version: 'draft4' }).body as (b: unknown) => unknown)({ tags: ['a'] })).toBeNull();
  });

  it('serve: parameter schemas too, and subschemas under combinators; never the data of enum or const', () => {
    const p = parseValidatorConfig({
      array_length_compat: true,
      parameter_schema: [{ in: 'query', name: 'ids', required: true, style: 'form', explode: false, schema: '{"type":"array","items":{"type":"string"},"anyOf":[{"maxLength":2}]}' }],
    }).params[0];
    expect([p.validate?.(['a', 'b']), p.validate?.(['a', 'b', 'c'])]).toEqual([true, false]);
    const data = parseValidatorConfig({ body_schema: '{"enum":[{"minLength":9}],"const":{"minLength":9}}', version: 'draft7', array_length_compat: true }).body as (b: unknown) => unknown;
    expect(data({ minLength: 9 })).toBeNull();
  });
});

const JUDGE = (routeType: string) => `_format_version: "3.0"
plugins:
  - name: ai-llm-as-judge
    config:
      llm:
        route_type: ${routeType}
        auth: { header_name: Authorization, header_value: Bearer sk-judge }
        model: { provider: openai, name: gpt-4o-mini }
`;

describe("ai-llm-as-judge llm.route_type: Kong's route types; serve judges over llm/v1/chat", () => {
  it('validates every Kong 3.14 route type, serve refuses all but llm/v1/chat', () => {
    expect(issues(JUDGE('llm/v1/responses')).filter((l) => l.includes('error'))).toEqual([]);
    expect(issues(JUDGE('video/v1/videos/generations')).filter((l) => l.includes('error'))).toEqual([]);
    const llm = { route_type: 'llm/v1/responses', model: { provider: 'openai', name: 'gpt-4o-mini' } };
    expect(notServed('ai-llm-as-judge', { llm })).toEqual([
      "config.llm.route_type 'llm/v1/responses' is not served: aigw serve asks the judge LLM over llm/v1/chat only",
    ]);
    expect(notServed('ai-llm-as-judge', { llm: { ...llm, route_type: 'llm/v1/chat' } })).toEqual([]);
  });
});
