/** The provider enum of the schemas comes from schemas/src/llm.mjs; it must name exactly the registered providers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../src/gateway/providers/index.js';

const schema = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../schemas/plugins', `${name}.json`), 'utf8')) as Record<string, unknown>;

function at(s: unknown, ...path: string[]): Record<string, unknown> {
  let v = s;
  for (const p of path) v = (v as Record<string, unknown>)[p];
  return v as Record<string, unknown>;
}

describe('provider registry ↔ schemas', () => {
  const names = PROVIDERS.map((p) => p.name);
  const laterOnes = Object.fromEntries(PROVIDERS.filter((p) => p.since !== undefined).map((p) => [p.name, `Kong ${p.since}+; Kong 3.10 rejects it`]));

  it.each(['ai-proxy', 'ai-request-transformer', 'ai-response-transformer'])('%s: model.provider lists every registered provider, the later ones as extensions', (plugin) => {
    const provider = at(schema(plugin), 'properties', ...(plugin === 'ai-proxy' ? [] : ['llm', 'properties']), 'model', 'properties', 'provider');
    expect(provider.enum).toEqual(names);
    expect(provider['x-aigw-extension-values']).toEqual(laterOnes);
  });

  it('ai-proxy-advanced targets and ai-rate-limiting-advanced budgets too', () => {
    const target = at(schema('ai-proxy-advanced'), 'properties', 'targets', 'items', 'properties', 'model', 'properties', 'provider');
    expect(target.enum).toEqual(names);
    const budget = at(schema('ai-rate-limiting-advanced'), 'properties', 'llm_providers', 'items', 'properties', 'name');
    // requestPrompt counts prompts; customCost (Kong 3.13) a Lua-computed cost: neither is a provider
    expect(budget.enum).toEqual([...names, 'requestPrompt', 'customCost']);
    expect(budget['x-aigw-extension-values']).toEqual(laterOnes);
  });
});
