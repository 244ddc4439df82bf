/**
 * The provider enums of the schemas come from schemas/src/llm.mjs. The 3.10 profile names exactly the
 * registered providers (the later ones as aigw extensions); the default profile (3.14) names every
 * provider Kong has, and the ones the registry lacks are refused by `aigw serve` (not-served.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../src/gateway/providers/index.js';
import { notServed } from '../../../src/gateway/not-served.js';

const schema = (name: string, profile = ''): Record<string, unknown> =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../schemas', profile, 'plugins', `${name}.json`), 'utf8')) as Record<string, unknown>;

function at(s: unknown, ...path: string[]): Record<string, unknown> {
  let v = s;
  for (const p of path) v = (v as Record<string, unknown>)[p];
  return v as Record<string, unknown>;
}

const providerOf = (plugin: string, profile = ''): Record<string, unknown> =>
  at(schema(plugin, profile), 'properties', ...(plugin === 'ai-proxy' ? [] : ['llm', 'properties']), 'model', 'properties', 'provider');

describe('provider registry ↔ schemas', () => {
  const names = PROVIDERS.map((p) => p.name);
  const laterOnes = Object.fromEntries(PROVIDERS.filter((p) => p.since !== undefined).map((p) => [p.name, `Kong ${p.since}+; Kong 3.10 rejects it`]));

  it.each(['ai-proxy', 'ai-request-transformer', 'ai-response-transformer'])('%s (3.10 profile): model.provider lists every registered provider, the later ones as extensions', (plugin) => {
    const provider = providerOf(plugin, '3.10');
    expect(provider.enum).toEqual(names);
    expect(provider['x-aigw-extension-values']).toEqual(laterOnes);
  });

  it('ai-proxy-advanced targets and ai-rate-limiting-advanced budgets too (3.10 profile)', () => {
    const target = at(schema('ai-proxy-advanced', '3.10'), 'properties', 'targets', 'items', 'properties', 'model', 'properties', 'provider');
    expect(target.enum).toEqual(names);
    const budget = at(schema('ai-rate-limiting-advanced', '3.10'), 'properties', 'llm_providers', 'items', 'properties', 'name');
    expect(budget.enum).toEqual([...names, 'requestPrompt']);
  });

  it('the default profile names every registered provider, and serve refuses the ones the registry lacks', () => {
    const all = providerOf('ai-proxy').enum as string[];
    expect(all).toEqual(expect.arrayContaining(names));
    expect(providerOf('ai-proxy')['x-aigw-extension-values']).toBeUndefined();
    for (const p of all) {
      const refused = notServed('ai-proxy', { route_type: 'llm/v1/chat', model: { provider: p } });
      expect(refused.length > 0, p).toBe(!names.includes(p));
    }
  });
});
