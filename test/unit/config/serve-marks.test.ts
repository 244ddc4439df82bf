/**
 * Every Kong field aigw serve has not implemented is decided: refused by serve
 * (`x-aigw-unsupported*`), no effect under serve (`x-aigw-no-effect`, listed here), or implemented
 * (no mark, listed here). The walk covers every mark of the bundled schemas; a refused mark is
 * set, with a non-default value, on a config that is handed to the refusal functions the runtime
 * calls, which must name the field. A new mark cannot be added without one of these decisions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../../src/config/schemas.js';
import { emptyState } from '../../../src/config/state.js';
import { entityRefusals, pluginRefusals, REFUSING_KINDS } from '../../../src/gateway/serve-refusals.js';
import { notServed } from '../../../src/gateway/not-served.js';
import { vaultResolver } from '../../../src/gateway/vault.js';
import type { KindName } from '../../../src/config/kinds.js';
import { validatePluginConfig } from '../../../src/config/validate/plugin-config.js';
import { legacyQueue } from '../../../src/gateway/plugins/http-log/queue.js';
import { fillPluginDefaults } from '../../../src/config/defaults.js';
import { schemas } from '../../../src/config/schemas.js';

type Node = JsonSchema;
interface Mark { def: string; path: string[]; keyword: string; node: Node; values?: Record<string, string> }

const KEYWORDS = ['x-aigw-unsupported', 'x-aigw-unsupported-values', 'x-aigw-no-effect'];

/** Every aigw-mark in a bundle: its definition (`plugin.http-log`, `entity.route`, `state`) and the field path (`[]`: array items). */
function marksOf(bundle: Node): Mark[] {
  const out: Mark[] = [];
  const walk = (n: unknown, def: string, path: string[]): void => {
    if (n === null || typeof n !== 'object' || Array.isArray(n)) return;
    const node = n as Node;
    for (const k of Object.keys(node)) {
      if (k.startsWith('x-aigw-') && !['x-aigw-extension', 'x-aigw-extension-values', 'x-aigw-moved'].includes(k)) {
        expect(KEYWORDS, `${def} ${path.join('/')}: unknown aigw keyword ${k}`).toContain(k);
        out.push({ def, path, keyword: k, node, ...(k === 'x-aigw-unsupported-values' ? { values: node[k] as Record<string, string> } : {}) });
      }
    }
    for (const [k, p] of Object.entries(node.properties ?? {})) walk(p, def, [...path, k]);
    if (node.items) walk(node.items, def, [...path, '[]']);
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...((node.allOf as Node[] | undefined) ?? [])]) walk(branch, def, path);
    for (const k of ['then', 'else']) walk(node[k], def, path);
  };
  walk({ properties: bundle.properties }, 'state', []);
  for (const [def, s] of Object.entries(bundle.definitions ?? {})) walk(s, def, []);
  return out;
}

const bundle = (rel: string): Node => JSON.parse(readFileSync(new URL(`../../../schemas/${rel}`, import.meta.url), 'utf8')) as Node;
const DEFAULT = marksOf(bundle('kong-state.bundled.json'));
const key = (m: Mark): string => `${m.def} ${m.path.join('.')} ${m.keyword}`;

/** No effect under aigw serve (the schema's reason says why): accepted, with a warning saying so. */
const NO_EFFECT = new Set([
  'plugin.ai-rate-limiting-advanced dictionary_name x-aigw-no-effect',
  'plugin.ai-rate-limiting-advanced sync_rate x-aigw-no-effect',
  'plugin.rate-limiting-advanced dictionary_name x-aigw-no-effect',
  'plugin.rate-limiting-advanced lock_dictionary_name x-aigw-no-effect',
  'plugin.rate-limiting sync_rate x-aigw-no-effect',
  'plugin.http-log retry_count x-aigw-no-effect',
  'state _konnect x-aigw-no-effect',
]);

/** Implemented by aigw serve (so unmarked): keyauth ttl (consumers.ts), http-log's legacy queue fields (queue.ts). */
const IMPLEMENTED: Array<[string, string[]]> = [
  ['entity.keyauth_credential', ['ttl']],
  ['plugin.http-log', ['queue_size']],
  ['plugin.http-log', ['flush_timeout']],
];

function typeOf(n: Node): string | undefined {
  return Array.isArray(n.type) ? (n.type as string[]).find((t) => t !== 'null') : (n.type as string | undefined);
}

/** A value of `n` other than its default. */
function sample(n: Node): unknown {
  if (Array.isArray(n.enum)) return (n.enum as unknown[]).find((v) => v !== null && JSON.stringify(v) !== JSON.stringify(n.default));
  switch (typeOf(n)) {
    case 'string': return 'sample';
    case 'boolean': return n.default !== true;
    case 'integer':
    case 'number': {
      const min = (n.minimum as number | undefined) ?? ((n.exclusiveMinimum as number | undefined) ?? 0) + 1;
      return typeof n.default === 'number' && n.default + 1 <= ((n.maximum as number | undefined) ?? Infinity) ? n.default + 1 : Math.max(min, 1);
    }
    case 'array': return [sample(n.items as Node)];
    default: {
      const props = Object.entries(n.properties ?? {});
      if (props.length > 0) {
        const [k, p] = props.find(([, p]) => p.default === undefined) ?? props[0]!;
        return { [k]: sample(p) };
      }
      return { name: sample((n.additionalProperties as Node | undefined) ?? { type: 'string' }) };
    }
  }
}

/** `value` at `path` in a record (`[]`: a one-element array). */
function nest(path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '[]') return [nest(rest, value)];
  return { [head]: nest(rest, value) };
}

const dotted = (path: string[]): string => path.join('.').replace(/\.\[\]/g, '[0]');

/** The refusals the runtime computes for `config` set on the definition's entity or plugin. */
function refusals(def: string, config: Record<string, unknown>): string[] {
  const [type, name] = def.split('.') as [string, string];
  if (type === 'plugin') return pluginRefusals(name, { id: 'p1', name }, config);
  return entityRefusals(`${name}s` as KindName, { id: 'e1', ...config });
}

describe('every Kong field aigw serve has not implemented is decided', () => {
  it('finds the marks of the bundled schema', () => {
    expect(DEFAULT.length).toBeGreaterThan(100);
  });

  it.each(DEFAULT.filter((m) => m.keyword === 'x-aigw-no-effect').map((m) => [key(m)]))('%s is a reviewed no-effect field', (k) => {
    expect(NO_EFFECT).toContain(k);
  });

  it('lists no no-effect field that is not marked', () => {
    expect([...NO_EFFECT].filter((k) => !DEFAULT.some((m) => key(m) === k))).toEqual([]);
  });

  it.each(IMPLEMENTED)('%s %s is implemented: no mark', (def, path) => {
    const defs = bundle('kong-state.bundled.json').definitions!;
    let node: Node | undefined = defs[def];
    for (const p of path) node = node?.properties?.[p];
    expect(node, `${def} ${path.join('.')} exists`).toBeDefined();
    expect(DEFAULT.filter((m) => m.def === def && m.path.join('.') === path.join('.'))).toEqual([]);
  });

  const refused = DEFAULT.filter((m) => m.keyword !== 'x-aigw-no-effect');
  const fields = refused.filter((m) => m.keyword === 'x-aigw-unsupported' && m.def !== 'state');
  it.each(fields.map((m) => [key(m), m]))('%s: aigw serve refuses it, naming the field', (_k, m) => {
    const path = (m as Mark).path;
    const got = refusals((m as Mark).def, nest(path, sample((m as Mark).node)) as Record<string, unknown>);
    const where = (m as Mark).def.startsWith('plugin.') ? `config.${dotted(path)}` : dotted(path);
    expect(got.some((r) => r.startsWith(`${where} is set, and aigw serve does not run it: `)), got.join('\n')).toBe(true);
  });

  const values = refused.filter((m) => m.keyword === 'x-aigw-unsupported-values' && m.def !== 'state' && m.def !== 'entity.vault')
    .flatMap((m) => Object.keys(m.values!).map((v) => [`${key(m)} '${v}'`, m, v] as const));
  it.each(values)('%s: aigw serve refuses the value', (_k, m, v) => {
    const got = refusals(m.def, nest(m.path, v) as Record<string, unknown>);
    const where = m.def.startsWith('plugin.') ? `config.${dotted(m.path)}` : dotted(m.path);
    expect(got).toContain(`${where} '${v}' is not served: ${m.values![v]}`);
  });

  it('entity marks are on kinds whose entities serve checks', () => {
    const kinds = new Set(refused.filter((m) => m.def.startsWith('entity.')).map((m) => `${m.def.slice('entity.'.length)}s`));
    expect([...kinds].filter((k) => !(REFUSING_KINDS as readonly string[]).includes(k) && k !== 'vaults')).toEqual([]);
  });

  it("the vault backends marked are refused by the vault resolver", () => {
    const vault = refused.find((m) => m.def === 'entity.vault')!;
    for (const name of Object.keys(vault.values!)) {
      const empty = emptyState();
      const state = { ...empty, entities: { ...empty.entities, vaults: [{ id: 'v1', name, prefix: 'my-vault', config: {} }] } };
      expect(() => vaultResolver(state, {}), name).toThrow(/refuses|not installed|implements/);
    }
  });

  it('_info.defaults carry the marks of the entities they fill (refused there)', () => {
    const info = refused.filter((m) => m.def === 'state');
    expect(info.length).toBeGreaterThan(0);
    for (const m of info) {
      expect(m.path.slice(0, 2)).toEqual(['_info', 'defaults']);
      const [, , kind, ...rest] = m.path;
      expect(DEFAULT.some((e) => e.def === `entity.${kind}` && e.path.join('.') === rest.join('.') && e.keyword === m.keyword), key(m)).toBe(true);
    }
  });

  it('the marks only older or Konnect profiles have are refused by not-served.ts', () => {
    const known = new Set(DEFAULT.map(key));
    const others = [...marksOf(bundle('3.10/kong-state.bundled.json')), ...marksOf(bundle('konnect/kong-state.bundled.json'))].filter((m) => !known.has(key(m)));
    expect(others.map(key).sort()).toEqual(['plugin.http-log client_certificate x-aigw-unsupported', 'plugin.rate-limiting-advanced counter_key x-aigw-unsupported']);
    for (const m of others) {
      expect(notServed(m.def.slice('plugin.'.length), nest(m.path, sample(m.node))), key(m)).not.toEqual([]);
    }
  });
});

describe('the validate warning says what serve does', () => {
  const warnings = (plugin: string, config: Record<string, unknown>) => (validatePluginConfig(plugin, config) ?? []).map((p) => `${p.code} ${p.message}`);

  it('a refused field: serve refuses it', () => {
    expect(warnings('file-log', { path: '/tmp/x.log', custom_fields_by_lua: { a: 'return 1' } }))
      .toEqual(["AIGW_UNSUPPORTED 'custom_fields_by_lua' is accepted for Kong compatibility but aigw serve refuses it: Lua code cannot run in aigw"]);
  });

  it('a no-effect field: it has no effect, and the config still builds', () => {
    expect(warnings('rate-limiting-advanced', { limit: [5], window_size: [60], dictionary_name: 'other_dict' }))
      .toEqual(["AIGW_NO_EFFECT 'dictionary_name' has no effect under aigw serve: aigw has no nginx shared dictionaries: the counters live in the process whatever the name"]);
    expect(pluginRefusals('rate-limiting-advanced', { id: 'p1', name: 'rate-limiting-advanced' }, { dictionary_name: 'other_dict', sync_rate: 5 })).toEqual([]);
  });

  it('an implemented field: no warning (http-log maps queue_size and flush_timeout as Kong does)', () => {
    expect(warnings('http-log', { http_endpoint: 'http://127.0.0.1:1/log', queue_size: 5, flush_timeout: 3 })).toEqual([]);
    expect(legacyQueue({ queue_size: 5, flush_timeout: 3, queue: { max_entries: 10 } })).toEqual({ max_entries: 10, max_batch_size: 5, max_coalescing_delay: 3 });
    // Kong's own defaults of the legacy fields leave queue.* alone
    expect(legacyQueue({ queue_size: 1, flush_timeout: 2, queue: { max_batch_size: 7 } })).toEqual({ max_batch_size: 7 });
  });

  it("a record set to its defaults is not set (a filled redis record keeps serve running)", () => {
    const redis = { host: null, port: 6379, cloud_authentication: { auth_provider: null, aws_region: null } };
    expect(pluginRefusals('rate-limiting', { id: 'p1', name: 'rate-limiting' }, { policy: 'redis', redis })).toEqual([]);
    expect(pluginRefusals('rate-limiting', { id: 'p1', name: 'rate-limiting' }, { policy: 'redis', redis: { ...redis, cloud_authentication: { auth_provider: 'aws' } } }))
      .toEqual([expect.stringMatching(/^config\.redis\.cloud_authentication is set, and aigw serve does not run it: /)]);
  });

  it('no plugin config filled with its defaults is refused (a record whose default is {} counts as unset)', () => {
    // a semantic guard on the memory store: its filled vectordb.pgvector record ({} filled with its
    // fields' defaults) was taken for a set pgvector, and serve refused every such plugin
    const guard = fillPluginDefaults('ai-semantic-prompt-guard', { vectordb: { strategy: 'memory', dimensions: 256, distance_metric: 'cosine' }, embeddings: { model: { provider: 'openai', name: 'e' } }, rules: { allow_prompts: ['a'] } }) as { vectordb: { pgvector: unknown } };
    expect(guard.vectordb.pgvector).toMatchObject({ port: 5432 });
    expect(pluginRefusals('ai-semantic-prompt-guard', { id: 'p1', name: 'ai-semantic-prompt-guard' }, guard)).toEqual([]);
    for (const name of schemas().knownPlugins()) {
      expect(pluginRefusals(name, { id: 'p1', name }, fillPluginDefaults(name, {})), name).toEqual([]);
    }
    // a field of such a record set to something else still counts
    const set = { ...guard, vectordb: { ...guard.vectordb, pgvector: { ...(guard.vectordb.pgvector as object), host: 'db.internal' } } };
    expect(pluginRefusals('ai-semantic-prompt-guard', { id: 'p1', name: 'ai-semantic-prompt-guard' }, set)).toEqual([expect.stringMatching(/^config\.vectordb\.pgvector is set/)]);
  });
});
