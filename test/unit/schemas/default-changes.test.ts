/**
 * One list of the defaults Kong changed between 3.10 and 3.14 (src/config/default-changes.ts, also
 * used by `file convert`): the schema profiles must agree with it, for every plugin aigw has a
 * schema for — the 3.10 profile has `before`, the default (3.14) profile `after`.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANGES_310_314 } from '../../../src/config/default-changes.js';
import { type JsonObject, loadAll, propertyAt } from './schema-set.js';

const old = loadAll('3.10').schemas;
const now = loadAll().schemas;

/**
 * Entity flips the profiles do not make yet, and why: `aigw serve` has no https listener, so a
 * route limited to https by default would answer every request with 426.
 */
const NOT_IN_PROFILES = new Set(['routes protocols', 'services tls_verify']);

const defaultAt = (schema: JsonObject | undefined, path: string): unknown => {
  if (schema === undefined) return undefined;
  return propertyAt(schema, path.replace(/^config\./, ''))?.default;
};

describe('3.10 → 3.14 default changes', () => {
  const rows = DEFAULT_CHANGES_310_314.flatMap((row) => (row.kind === 'plugins'
    ? (row.plugins ?? []).filter((p) => now.has(`plugins/${p}.json`)).map((p) => ({ name: `${p} ${row.path}`, file: `plugins/${p}.json`, row }))
    : [{ name: `${row.kind} ${row.path}`, file: '', row }]));

  it('covers the plugins aigw has', () => {
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining([
      'key-auth config.hide_credentials', 'basic-auth config.hide_credentials', 'http-log config.ssl_verify',
      'rate-limiting config.redis.ssl_verify', 'ai-proxy config.max_request_body_size', 'ai-semantic-cache config.vectordb.redis.ssl_verify',
    ]));
  });

  it.each(rows.filter((r) => r.file !== ''))('$name: 3.10 profile has the old default (or no field: added after 3.10), 3.14 the new one', ({ file, row }) => {
    const path = row.path.replace(/^config\./, '');
    if (propertyAt(old.get(file) as JsonObject, path) !== undefined) expect(defaultAt(old.get(file), row.path)).toEqual(row.before);
    expect(defaultAt(now.get(file), row.path)).toEqual(row.after);
  });

  it('the entity flips left out are exactly the known ones', () => {
    expect(rows.filter((r) => r.file === '').map((r) => r.name).sort()).toEqual([...NOT_IN_PROFILES].sort());
  });
});
