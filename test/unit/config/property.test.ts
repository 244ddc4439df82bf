import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadText } from '../../../src/config/index.js';
import { writeState } from '../../../src/config/write.js';

type Obj = Record<string, unknown>;

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const pluginFor = fc.oneof(
  fc.constant({ name: 'key-auth', config: { hide_credentials: true } }),
  fc.record({ minute: fc.integer({ min: 1, max: 100 }), extra: fc.integer({ min: 0, max: 1000 }) }).map(({ minute, extra }) => ({ name: 'rate-limiting', config: { minute, hour: minute + extra } })),
  fc.constant({ name: 'cors', config: { origins: ['https://a.example'] } }),
  fc.constant({ name: 'correlation-id' }),
  fc.integer({ min: 1, max: 4096 }).map((max_tokens) => ({
    name: 'ai-proxy',
    config: { route_type: 'llm/v1/chat', auth: { header_name: 'Authorization', header_value: 'Bearer x' }, model: { provider: 'openai', name: 'gpt-4o', options: { max_tokens } } },
  })),
);

/** A random valid state file (file form, nested). */
const stateFile = fc
  .record({
    services: fc.uniqueArray(name, { maxLength: 4 }),
    routes: fc.array(fc.record({ path: fc.stringMatching(/^\/[a-z0-9/]{0,12}$/), methods: fc.subarray(['GET', 'POST', 'PUT']), plugins: fc.uniqueArray(pluginFor, { maxLength: 3, selector: (p) => p.name }) }), { maxLength: 6 }),
    consumers: fc.uniqueArray(name, { maxLength: 4 }),
    keys: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9]{8,16}$/), { minLength: 4, maxLength: 4 }),
    groups: fc.array(fc.constantFrom('gold', 'silver', 'admins'), { maxLength: 2 }),
    targets: fc.uniqueArray(fc.integer({ min: 1024, max: 65535 }), { maxLength: 3 }),
    globalPrometheus: fc.boolean(),
  })
  .map((r) => {
    const services: Obj[] = r.services.map((s, i) => ({ name: `svc-${s}`, url: `http://127.0.0.1:${9000 + i}/base`, routes: [] as Obj[] }));
    r.routes.forEach((route, i) => {
      const entry: Obj = { name: `route-${i}`, paths: [route.path], ...(route.methods.length ? { methods: route.methods } : {}), plugins: route.plugins };
      if (services.length > 0) (services[i % services.length].routes as Obj[]).push(entry);
    });
    const consumers = r.consumers.map((c, i) => ({ username: `user-${c}`, keyauth_credentials: [{ key: `${r.keys[i]}-${i}` }], acls: [...new Set(r.groups)].map((group) => ({ group })) }));
    const upstreams = r.targets.length ? [{ name: 'pool', targets: r.targets.map((p) => ({ target: `127.0.0.1:${p}`, weight: 10 })) }] : [];
    const content: Obj = { _format_version: '3.0', services, consumers, upstreams };
    if (r.globalPrometheus) content.plugins = [{ name: 'prometheus' }];
    return content;
  });

function load(text: string) {
  return loadText(text, { env: {} });
}

describe('property: the state model', () => {
  it('random valid files load without errors, and State → file → State is the identity', () => {
    fc.assert(
      fc.property(stateFile, (content) => {
        const a = load(stringify(content));
        expect(a.issues.filter((i) => i.severity === 'error')).toEqual([]);
        if (!a.state) throw new Error('no state');
        const written = writeState(a.state, { mask: { show: true } });
        const b = load(written);
        expect(b.issues.filter((i) => i.severity === 'error')).toEqual([]);
        expect(b.state).toEqual(a.state);
        const asJson = load(JSON.stringify(content));
        expect(asJson.state).toEqual(a.state);
      }),
      { numRuns: 60 },
    );
  });

  it('random corruptions of valid files never crash and always yield at least one error', () => {
    const corruption = fc.constantFrom('unknown-field', 'wrong-type', 'duplicate', 'broken-ref', 'bad-enum', 'negative');
    fc.assert(
      fc.property(stateFile, corruption, fc.nat(), (content, kind, n) => {
        const c = JSON.parse(JSON.stringify(content)) as Obj;
        const services = c.services as Obj[];
        const consumers = c.consumers as Obj[];
        const entities: Obj[] = [...services, ...services.flatMap((s) => s.routes as Obj[]), ...consumers];
        const target = entities.length ? entities[n % entities.length] : null;
        switch (kind) {
          case 'unknown-field': (target ?? c).zz_not_a_field = 1; break;
          case 'wrong-type': if (services.length) services[n % services.length].retries = 'many'; else c._format_version = 3.1; break;
          case 'duplicate': if (target) (entities.includes(target) && services.includes(target) ? services : consumers.includes(target) ? consumers : (services[0].routes as Obj[])).push({ ...target }); else c.consumers = [{ username: 'x' }, { username: 'x' }]; break;
          case 'broken-ref': c.plugins = [...((c.plugins as Obj[]) ?? []), { name: 'key-auth', route: 'no-such-route-anywhere' }]; break;
          case 'bad-enum': c.plugins = [{ name: 'rate-limiting', config: { minute: 1, policy: 'galactic' } }]; break;
          case 'negative': c.upstreams = [{ name: 'u', slots: -5 }]; break;
        }
        const r = load(stringify(c));
        expect(r.issues.some((i) => i.severity === 'error')).toBe(true);
        expect(r.state).toBeNull();
        for (const i of r.issues) expect(i.line).toBeGreaterThan(0);
      }),
      { numRuns: 80 },
    );
  });

  it('random text damage never crashes the validator', () => {
    const base = stringify({ _format_version: '3.0', services: [{ name: 's', url: 'http://x', routes: [{ name: 'r', paths: ['/r'], plugins: [{ name: 'key-auth' }] }] }] });
    fc.assert(
      fc.property(fc.nat({ max: base.length }), fc.string({ maxLength: 4 }), fc.nat({ max: 5 }), (at, insert, del) => {
        const text = base.slice(0, at) + insert + base.slice(at + del);
        const r = load(text);
        expect(Array.isArray(r.issues)).toBe(true);
        if (r.state === null) expect(r.issues.some((i) => i.severity === 'error')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
