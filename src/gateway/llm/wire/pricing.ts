/**
 * The cost of one LLM call (`ai.proxy.usage.cost`), with Kong 3.14's pricing options
 * (`model.options`; formula from Kong's "Model cost management" page):
 *
 *   cost = tier × ( cw_in × ( normal·input_cost + cache_read·cache_read_cost + Σ cache_write·cost(ttl) )
 *                 + cw_out × completion·output_cost ) / 1e6
 *
 *   normal        prompt tokens that are neither cache reads nor cache writes
 *   cache_read    `prompt_tokens_details.cached_tokens`; priced at `cache_read_cost`, else input_cost
 *   cache_write   Anthropic's cache-creation tokens, by TTL (5m unless reported as 1h): the
 *                 `cache_write_cost_list` entry of that TTL, else `cache_write_cost`, else input_cost
 *   cw_in/cw_out  `context_window_factor`: the entry with the highest `above` the prompt tokens exceed; else 1
 *   tier          `service_tier_factor`: the longest `tier` found (case-insensitive substring) in the
 *                 reported service tier (`priority` also matches the word `fast`); else 1
 *
 * 0 unless both `input_cost` and `output_cost` are set (as before 3.14).
 */
import type { Usage } from './openai-types.js';

export interface Pricing {
  input_cost?: number | null;
  output_cost?: number | null;
  cache_read_cost?: number | null;
  cache_write_cost?: number | null;
  cache_write_cost_list?: ReadonlyArray<{ ttl: string; cost: number }> | null;
  context_window_factor?: ReadonlyArray<{ above: string; input_factor: number; output_factor: number }> | null;
  service_tier_factor?: ReadonlyArray<{ tier: string; factor: number }> | null;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const SIZES: Record<string, number> = { '': 1, k: 1e3, m: 1e6 };

/** `5m`, `1h`, `300s` → seconds; null when malformed. */
export function ttlSeconds(ttl: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/i.exec(ttl);
  return m === null ? null : Number(m[1]) * UNITS[m[2].toLowerCase()];
}

/** `200k`, `1m`, `272000` → tokens; null when malformed. */
export function tokenThreshold(above: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(above);
  return m === null ? null : Number(m[1]) * SIZES[m[2].toLowerCase()];
}

function writeRate(p: Pricing, seconds: number, input: number): number {
  const entry = (p.cache_write_cost_list ?? []).find((e) => ttlSeconds(e.ttl) === seconds);
  return entry?.cost ?? p.cache_write_cost ?? input;
}

function contextFactors(p: Pricing, promptTokens: number): { input: number; output: number } {
  let best: { above: number; input: number; output: number } | null = null;
  for (const e of p.context_window_factor ?? []) {
    const above = tokenThreshold(e.above);
    if (above === null || promptTokens <= above || (best !== null && above <= best.above)) continue;
    best = { above, input: e.input_factor, output: e.output_factor };
  }
  return best ?? { input: 1, output: 1 };
}

/** The factor of the reported service tier: the longest configured tier it contains; 1 when none. */
export function tierFactor(p: Pricing, reported: string | undefined): number {
  if (reported === undefined) return 1;
  const r = reported.toLowerCase();
  let best: { len: number; factor: number } | null = null;
  for (const e of p.service_tier_factor ?? []) {
    const t = e.tier.toLowerCase();
    const hit = r.includes(t) || (t === 'priority' && /\bfast\b/.test(r));
    if (hit && (best === null || t.length > best.len)) best = { len: t.length, factor: e.factor };
  }
  return best?.factor ?? 1;
}

export function costOf(usage: Usage, p: Pricing | null | undefined): number {
  const input = p?.input_cost;
  const output = p?.output_cost;
  if (p == null || input == null || output == null) return 0;
  const d = usage.prompt_tokens_details ?? {};
  const read = d.cached_tokens ?? 0;
  const write = d.cache_write_tokens ?? 0;
  const write1h = Math.min(write, d.cache_write_1h_tokens ?? 0);
  const normal = Math.max(0, usage.prompt_tokens - read - write);
  const inputSide = normal * input + read * (p.cache_read_cost ?? input)
    + (write - write1h) * writeRate(p, 300, input) + write1h * writeRate(p, 3600, input);
  const cw = contextFactors(p, usage.prompt_tokens);
  return (tierFactor(p, usage.service_tier) * (cw.input * inputSide + cw.output * usage.completion_tokens * output)) / 1e6;
}

/**
 * The most one call can cost before its answer is known (what a cost budget reserves up front):
 * every prompt token at the dearest input rate (input, cache read or cache write), the completion
 * at `output_cost`, the context-window factor of the prompt's size and the largest service-tier
 * factor (at least 1: the tier is only reported with the answer). 0 unless both costs are set, as
 * `costOf`. A prompt the estimate undercounts can still cost more: that is the documented overrun.
 */
export function costBound(p: Pricing | null | undefined, promptTokens: number, completionTokens: number): number {
  const input = p?.input_cost;
  const output = p?.output_cost;
  if (p == null || input == null || output == null) return 0;
  const dearest = Math.max(input, p.cache_read_cost ?? 0, p.cache_write_cost ?? 0, ...(p.cache_write_cost_list ?? []).map((e) => e.cost));
  const cw = contextFactors(p, promptTokens);
  const tier = Math.max(1, ...(p.service_tier_factor ?? []).map((e) => e.factor));
  return (tier * (cw.input * promptTokens * dearest + cw.output * completionTokens * output)) / 1e6;
}
