import { describe, expect, it } from 'vitest';
import { costOf, tierFactor, tokenThreshold, ttlSeconds, type Pricing } from '../../../src/gateway/llm/wire/pricing.js';
import type { Usage } from '../../../src/gateway/llm/wire/openai-types.js';
import { parseOpenAIUsage } from '../../../src/gateway/llm/wire/usage.js';
import { anthropicUsageOf } from '../../../src/gateway/llm/formats/anthropic-stream.js';
import { anthropicStreamTranslator } from '../../../src/gateway/providers/anthropic.js';

const usage = (prompt: number, completion: number, extra: Partial<Usage> = {}): Usage => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, ...extra });
const base: Pricing = { input_cost: 4, output_cost: 24 };

describe('cost with the 3.14 pricing options (Kong: model cost management)', () => {
  it('without the new options it is (prompt·input + completion·output) / 1e6, and 0 unless both costs are set', () => {
    expect(costOf(usage(1000, 500), base)).toBeCloseTo((1000 * 4 + 500 * 24) / 1e6, 12);
    expect(costOf(usage(1000, 500), { input_cost: 4 })).toBe(0);
    expect(costOf(usage(1000, 500), null)).toBe(0);
  });

  it('prices cache reads at cache_read_cost and cache writes at cache_write_cost; the rest at input_cost', () => {
    const u = usage(1000, 100, { prompt_tokens_details: { cached_tokens: 600, cache_write_tokens: 300 } });
    const p: Pricing = { ...base, cache_read_cost: 0.4, cache_write_cost: 5 };
    expect(costOf(u, p)).toBeCloseTo((100 * 4 + 600 * 0.4 + 300 * 5 + 100 * 24) / 1e6, 12);
    // absent cache prices fall back to input_cost: the same as the plain formula
    expect(costOf(u, base)).toBeCloseTo((1000 * 4 + 100 * 24) / 1e6, 12);
  });

  it('prices cache writes by TTL from cache_write_cost_list (5m unless reported as 1h), else cache_write_cost', () => {
    const u = usage(1000, 0, { prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 400, cache_write_1h_tokens: 100 } });
    const p: Pricing = { ...base, cache_write_cost: 5, cache_write_cost_list: [{ ttl: '1h', cost: 8 }] };
    expect(costOf(u, p)).toBeCloseTo((600 * 4 + 300 * 5 + 100 * 8) / 1e6, 12);
    const both: Pricing = { ...p, cache_write_cost_list: [{ ttl: '5m', cost: 6 }, { ttl: '60m', cost: 8 }] };
    expect(costOf(u, both)).toBeCloseTo((600 * 4 + 300 * 6 + 100 * 8) / 1e6, 12);
  });

  it('applies the context_window_factor of the highest threshold the prompt exceeds, to both sides', () => {
    const p: Pricing = { ...base, context_window_factor: [{ above: '200k', input_factor: 2, output_factor: 1.5 }, { above: '1m', input_factor: 3, output_factor: 2 }] };
    expect(costOf(usage(200_000, 10), p)).toBeCloseTo((200_000 * 4 + 10 * 24) / 1e6, 12);
    expect(costOf(usage(200_001, 10), p)).toBeCloseTo((2 * 200_001 * 4 + 1.5 * 10 * 24) / 1e6, 12);
    expect(costOf(usage(2_000_000, 10), p)).toBeCloseTo((3 * 2_000_000 * 4 + 2 * 10 * 24) / 1e6, 12);
  });

  it('multiplies the whole cost (cache included) by the service tier factor', () => {
    const p: Pricing = { ...base, cache_read_cost: 0.4, service_tier_factor: [{ tier: 'priority', factor: 2 }, { tier: 'flex', factor: 0.5 }] };
    const u = (tier?: string): Usage => usage(100, 10, { prompt_tokens_details: { cached_tokens: 50 }, ...(tier ? { service_tier: tier } : {}) });
    const plain = (50 * 4 + 50 * 0.4 + 10 * 24) / 1e6;
    expect(costOf(u(), p)).toBeCloseTo(plain, 12);
    expect(costOf(u('default'), p)).toBeCloseTo(plain, 12);
    expect(costOf(u('priority'), p)).toBeCloseTo(2 * plain, 12);
    expect(costOf(u('FLEX'), p)).toBeCloseTo(0.5 * plain, 12);
  });

  it('matches tiers case-insensitively as substrings, the longest wins; priority also matches the word fast', () => {
    const p: Pricing = { service_tier_factor: [{ tier: 'throughput', factor: 0.9 }, { tier: 'provisioned_throughput', factor: 0.7 }, { tier: 'priority', factor: 2 }] };
    expect(tierFactor(p, 'PROVISIONED_THROUGHPUT')).toBe(0.7);
    expect(tierFactor(p, 'throughput')).toBe(0.9);
    expect(tierFactor(p, 'fast')).toBe(2);
    expect(tierFactor(p, 'breakfast')).toBe(1);
    expect(tierFactor(p, undefined)).toBe(1);
  });

  it('parses TTLs and thresholds; malformed ones match nothing', () => {
    expect(ttlSeconds('5m')).toBe(300);
    expect(ttlSeconds('1h')).toBe(3600);
    expect(ttlSeconds('soon')).toBeNull();
    expect(tokenThreshold('200k')).toBe(200_000);
    expect(tokenThreshold('1m')).toBe(1_000_000);
    expect(tokenThreshold('272000')).toBe(272_000);
    expect(tokenThreshold('lots')).toBeNull();
  });
});

describe('cache tokens from the providers', () => {
  it("reads OpenAI's prompt_tokens_details.cached_tokens and the body's service_tier", () => {
    const u = parseOpenAIUsage({ prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: 64, audio_tokens: 0 } }, 'priority');
    expect(u).toEqual({ prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: 64, audio_tokens: 0 }, service_tier: 'priority' });
    expect(parseOpenAIUsage({ prompt_tokens: 1, completion_tokens: 1 })).toEqual({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
  });

  it("keeps OpenAI's completion_tokens_details and every numeric detail, in the upstream's order; drops what is not a number", () => {
    const u = parseOpenAIUsage({
      prompt_tokens: 50, completion_tokens: 40, total_tokens: 90,
      prompt_tokens_details: { audio_tokens: 0, cached_tokens: 16, note: 'x' },
      completion_tokens_details: { reasoning_tokens: 32, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0, bogus: null },
    });
    expect(u).toEqual({
      prompt_tokens: 50, completion_tokens: 40, total_tokens: 90,
      prompt_tokens_details: { audio_tokens: 0, cached_tokens: 16 },
      completion_tokens_details: { reasoning_tokens: 32, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    expect(Object.keys(u!.prompt_tokens_details!)).toEqual(['audio_tokens', 'cached_tokens']);
    expect(parseOpenAIUsage({ prompt_tokens: 1, completion_tokens: 1, completion_tokens_details: 'none' })).toEqual({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
  });

  it('gives Anthropic clients input_tokens without the cache tokens, which get their own fields', () => {
    const u = usage(1000, 10, { prompt_tokens_details: { cached_tokens: 600, cache_write_tokens: 300 } });
    expect(anthropicUsageOf(u)).toEqual({ input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 600, cache_creation_input_tokens: 300 });
    expect(anthropicUsageOf(usage(7, 3))).toEqual({ input_tokens: 7, output_tokens: 3 });
  });
});

describe('Anthropic usage through the provider translator', () => {
  const ctx = { routeType: 'llm/v1/chat', model: 'claude-x', requestId: 'r1', now: () => new Date(0) } as unknown as Parameters<typeof anthropicStreamTranslator>[0];
  const sse = (data: unknown) => ({ kind: 'sse' as const, data: JSON.stringify(data) });

  it('a stream keeps the cache tokens and service tier of message_start after message_delta; the client chunk has no service_tier in usage', () => {
    const t = anthropicStreamTranslator(ctx);
    t.onEvent(sse({ type: 'message_start', message: { id: 'm', model: 'claude-x', usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 90, cache_creation_input_tokens: 20, cache_creation: { ephemeral_1h_input_tokens: 5 }, service_tier: 'priority' } } }));
    t.onEvent(sse({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } }));
    expect(t.usage()).toEqual({
      prompt_tokens: 120, completion_tokens: 7, total_tokens: 127,
      prompt_tokens_details: { cached_tokens: 90, cache_write_tokens: 20, cache_write_1h_tokens: 5 }, service_tier: 'priority',
    });
    const [last] = t.onEvent(sse({ type: 'message_stop' }));
    expect(last.usage).toEqual({ prompt_tokens: 120, completion_tokens: 7, total_tokens: 127, prompt_tokens_details: { cached_tokens: 90, cache_write_tokens: 20, cache_write_1h_tokens: 5 } });
  });
});
