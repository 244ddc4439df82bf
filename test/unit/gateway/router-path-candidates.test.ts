/**
 * The router tries every route of a category after the routes its hit reduced it to. In a category
 * whose routes all have paths it now tries only those whose paths could match the request path
 * (uri-index.ts UriCandidates). Differential test: over generated routes and requests, the router
 * picks the same route as it does trying every route (Router.prunePaths = false).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from '../../../src/gateway/router.js';
import { UriCandidates } from '../../../src/gateway/uri-index.js';
import { route } from '../../helpers/route-entity.js';

const SEGMENTS = ['a', 'b', 'ab', 'svc', '1', '42', 'items', 'X'];
const segment = fc.constantFrom(...SEGMENTS);
const plainPath = fc.array(segment, { minLength: 0, maxLength: 3 }).map((s) => `/${s.join('/')}`);
const regexPath = fc.oneof(
  fc.tuple(plainPath, fc.constantFrom('(?<id>\\d+)$', '\\d*', '[a-b]+/?', '(items|X)', 'b?', '.*')).map(([p, tail]) => `~${p}${p.endsWith('/') ? '' : '/'}${tail}`),
  fc.constantFrom('~(?i)/AB', '~/(a|svc)/\\d+', '~.*/items$', '~/a{0,1}b', '~\\/svc'),
);
const routeFields = fc.record({
  paths: fc.array(fc.oneof(plainPath, regexPath), { minLength: 0, maxLength: 3 }),
  methods: fc.option(fc.subarray(['GET', 'POST'], { minLength: 1 }), { nil: null }),
  hosts: fc.option(fc.constant(['api.test']), { nil: null }),
  regex_priority: fc.integer({ min: 0, max: 2 }),
});
const request = fc.record({
  path: fc.array(segment, { minLength: 0, maxLength: 4 }).map((s) => `/${s.join('/')}`),
  method: fc.constantFrom('GET', 'POST'),
  host: fc.constantFrom('api.test', 'other.test'),
});

afterEach(() => {
  Router.prunePaths = true;
});

describe('router: the routes a category tries, by their paths', () => {
  it('picks the same route as trying every route of the category (generated routes and requests)', () => {
    fc.assert(fc.property(fc.array(routeFields, { minLength: 1, maxLength: 12 }), fc.array(request, { minLength: 1, maxLength: 8 }), (fields, requests) => {
      const routes = fields.map((f, i) => route(`r${i}`, { ...f, paths: f.paths.length ? [...new Set(f.paths)] : null }));
      const r = new Router(routes);
      for (const q of requests) {
        const req = { method: q.method, host: q.host, path: q.path, headers: {} };
        Router.prunePaths = true;
        const pruned = r.match(req);
        Router.prunePaths = false;
        const every = r.match(req);
        expect(pruned?.route.id ?? null, `${q.method} ${q.host}${q.path}`).toBe(every?.route.id ?? null);
        expect(pruned?.captures ?? null).toEqual(every?.captures ?? null);
      }
    }), { numRuns: 400, seed: 10 });
  });

  it('does not test the regexes of routes whose paths cannot match', () => {
    // 1,000 method+path routes (one category) and a plain route the requests are for
    const many = Array.from({ length: 1000 }, (_, i) => route(`svc-${i}`, { methods: ['GET', 'POST'], paths: [`/svc/${i}`, `~/svc/${i}/items/(?<id>\\d+)$`] }));
    const chat = route('chat', { paths: ['/ai/chat'] });
    const r = new Router([...many, chat]);
    const tested = new Set<RegExp>();
    const test = RegExp.prototype.exec;
    RegExp.prototype.exec = function (this: RegExp, s: string) {
      tested.add(this);
      return test.call(this, s);
    };
    try {
      expect(r.match({ method: 'POST', host: 'gw', path: '/ai/chat', headers: {} })?.route.id).toBe(chat.id);
      expect(tested.size).toBe(0);
      expect(r.match({ method: 'GET', host: 'gw', path: '/svc/7/items/12', headers: {} })).toMatchObject({ route: { id: many[7].id }, captures: { id: '12' } });
      expect(tested.size).toBeLessThanOrEqual(2);
      Router.prunePaths = false;
      tested.clear();
      expect(r.match({ method: 'POST', host: 'gw', path: '/ai/chat', headers: {} })?.route.id).toBe(chat.id);
      expect(tested.size).toBe(1000); // what every request cost before
    } finally {
      RegExp.prototype.exec = test;
    }
  });

  it('lists candidates by plain prefix, regex head and headless regex, in order, each once', () => {
    const c = new UriCandidates();
    const re = (p: string, flags = ''): { value: string; regex: RegExp } => ({ value: p, regex: new RegExp(p.slice(1), flags) });
    c.add(0, [{ value: '/a', regex: null }, { value: '/a/b', regex: null }]);
    c.add(1, [re('~/a/b/\\d+')]);
    c.add(2, [re('~(a|b)')]);
    c.add(3, [{ value: '/x', regex: null }]);
    c.add(4, [re('~/X/y', 'i')]);
    c.seal();
    expect(c.ranks('/a/b/1')).toEqual([0, 1, 2, 4]);
    expect(c.ranks('/x/y')).toEqual([2, 3, 4]);
    expect(c.ranks('/')).toEqual([2, 4]);
  });
});
