/**
 * Filled records keep V8's fast properties (config/defaults.ts): an object grown key by key past 16
 * properties goes to dictionary mode (~1.6 KiB for ai-proxy's 26 model options, ~0.8 KiB for a
 * route, against ~0.2 KiB), and the loaded configuration keeps one per route for its whole life
 * (bench/README.md "Memory with 1,000 routes: round 4"). Checked with V8's own %HasFastProperties.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { fillEntityDefaults, fillPluginDefaults } from '../../../src/config/defaults.js';

setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

type Obj = Record<string, unknown>;

describe('default filling keeps fast properties', () => {
  it('the check itself tells a dictionary-mode object', () => {
    const grown: Obj = {};
    for (let i = 0; i < 26; i++) grown[`k${i}`] = i;
    expect(hasFastProperties(grown)).toBe(false);
  });

  it('ai-proxy: its 26 model options, the model and the config', () => {
    const config = fillPluginDefaults('ai-proxy', {
      route_type: 'llm/v1/chat',
      auth: { header_name: 'Authorization', header_value: 'Bearer k' },
      model: { provider: 'openai', name: 'gpt-4o', options: { max_tokens: 512, upstream_url: 'http://127.0.0.1:9/v1/chat/completions' } },
    }) as Obj;
    const model = config.model as Obj;
    const options = model.options as Obj;
    expect(Object.keys(options).length).toBeGreaterThan(16);
    expect(options.max_tokens).toBe(512);
    for (const o of [config, model, options]) expect(hasFastProperties(o)).toBe(true);
  });

  it('a route (21 fields, its service added last) and a plugin entity', () => {
    const route = fillEntityDefaults('routes', { id: 'r1', name: 'r', paths: ['/r'], service: { id: 's1' } });
    expect(Object.keys(route).length).toBeGreaterThan(16);
    expect(Object.keys(route).at(-1)).toBe('service');
    expect(route.service).toEqual({ id: 's1' });
    expect(hasFastProperties(route)).toBe(true);
    const plugin = fillEntityDefaults('plugins', { id: 'p1', name: 'ai-proxy', config: { route_type: 'llm/v1/chat' } });
    expect(hasFastProperties(plugin)).toBe(true);
    expect(hasFastProperties(plugin.config as Obj)).toBe(true);
  });

  it('an unknown key named like an Object.prototype member is kept as an own key', () => {
    const filled = fillPluginDefaults('ai-proxy', { route_type: 'llm/v1/chat', toString: 'x' }) as Obj;
    expect(Object.hasOwn(filled, 'toString')).toBe(true);
  });
});
