/** cors origins as Kong's handler decides them (issue 10, defect 2: `origins: ["*"]` used to crash serve). */
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { allowedOrigin, compileOrigins, normaliseOrigin } from '../../../src/gateway/plugins/cors/origins.js';
import { validatePluginConfig } from '../../../src/config/validate/index.js';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { stateFrom } from '../../helpers/gateway.js';

const allow = (origins: string[], origin?: string) => allowedOrigin(compileOrigins(origins), origin);

describe('cors origins', () => {
  it('answers * for no origins and for exactly ["*"], whatever the request', () => {
    expect(allow([], 'https://a.test')).toEqual({ value: '*', all: true });
    expect(allow(['*'])).toEqual({ value: '*', all: true });
    expect(allow(['*'], 'https://a.test')).toEqual({ value: '*', all: true });
  });

  it('answers * when any entry is * and the request has an origin', () => {
    expect(allow(['https://a.test', '*'], 'https://b.test')).toEqual({ value: '*', all: true });
    expect(allow(['https://a.test', '*'])).toEqual({ value: null, all: false });
  });

  it('sends a single plain origin as configured, whatever the request', () => {
    expect(allow(['https://a.test'], 'https://evil.test')).toEqual({ value: 'https://a.test', all: false });
  });

  it('compares plain origins normalised (default ports dropped)', () => {
    expect(allow(['https://a.test', 'http://b.test:8080'], 'https://a.test:443')).toEqual({ value: 'https://a.test', all: false });
    expect(allow(['https://a.test', 'http://b.test:8080'], 'http://b.test:8080')).toEqual({ value: 'http://b.test:8080', all: false });
    expect(allow(['https://a.test', 'http://b.test:8080'], 'http://b.test')).toEqual({ value: null, all: false });
  });

  it('matches regex entries anchored, on the host unless the entry names a port', () => {
    const origins = ['.*\\.example\\.com', '^https://x\\.test:(8443|9443)'];
    expect(allow(origins, 'https://api.example.com')).toEqual({ value: 'https://api.example.com', all: false });
    expect(allow(origins, 'https://example.com.evil.test')).toEqual({ value: null, all: false });
    expect(allow(origins, 'https://x.test:9443')).toEqual({ value: 'https://x.test:9443', all: false });
    expect(allow(origins, 'https://x.test:9444')).toEqual({ value: null, all: false });
  });

  it('never matches with a regex that does not compile', () => {
    expect(allow(['https://a.test', '(unclosed'], 'https://a.test')).toEqual({ value: 'https://a.test', all: false });
    expect(allow(['https://a.test', '(unclosed'], '(unclosed')).toEqual({ value: null, all: false });
  });

  it('normalises origins', () => {
    expect(normaliseOrigin('http://a.test:80')).toEqual({ domain: 'http://a.test', host: 'a.test' });
    expect(normaliseOrigin('null')).toEqual({ domain: 'null', host: 'null' });
  });

  it('validates * and regexes, refuses what does not compile with Kong\'s message', () => {
    expect(validatePluginConfig('cors', { origins: ['*', 'https://a.test', '.*\\.b\\.test'] })).toEqual([]);
    expect(validatePluginConfig('cors', { origins: ['*', '(unclosed'] })).toEqual([
      { severity: 'error', code: 'AIGW_REGEX', path: ['origins', 1], at: 'value', message: "'(unclosed' is not a valid regex" },
    ]);
  });

  it('builds a runtime with origins ["*"] (it used to throw Invalid regular expression)', async () => {
    const state = await stateFrom('_format_version: "3.0"\nplugins:\n- name: cors\n  config: { origins: ["*"], credentials: true }\n');
    expect(() => buildRuntime(state, { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) })).not.toThrow();
  });
});
