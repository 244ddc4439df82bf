import { describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/config/state.js';
import { joinUpstreamPath, normalizePath } from '../../../src/gateway/paths.js';
import { Router } from '../../../src/gateway/router.js';
import { route } from '../../helpers/route-entity.js';

function matcher(routes: Entity[]) {
  const r = new Router(routes);
  return (path: string, opts: { method?: string; host?: string; headers?: Record<string, string> } = {}) =>
    r.match({ method: opts.method ?? 'GET', host: opts.host ?? 'gw.test', path, headers: opts.headers ?? {} })?.route.name ?? null;
}

describe('traditional router: paths', () => {
  it('prefers the longest matching prefix', () => {
    const m = matcher([route('short', { paths: ['/a'] }), route('long', { paths: ['/a/b'] })]);
    expect(m('/a/b/c')).toBe('long');
    expect(m('/a/x')).toBe('short');
    expect(m('/b')).toBeNull();
  });

  it('uses the longest prefix across routes even when a route also has a longer path', () => {
    const m = matcher([route('root', { paths: ['/', '/api/v1/very-long'] }), route('api', { paths: ['/api'] })]);
    expect(m('/api/x')).toBe('api');
    expect(m('/other')).toBe('root');
  });

  it('prefers an exact path over a prefix', () => {
    const m = matcher([route('prefix', { paths: ['/exact-and-more'] }), route('exact', { paths: ['/exact'] })]);
    expect(m('/exact')).toBe('exact');
  });

  it('tries regex paths before plain paths, ordered by regex_priority', () => {
    const m = matcher([
      route('plain', { paths: ['/users/1'] }),
      route('low', { paths: ['~/users/\\d+$'], regex_priority: 1 }),
      route('high', { paths: ['~/users/(?<id>\\d+)'], regex_priority: 5 }),
    ]);
    expect(m('/users/1')).toBe('high');
    expect(m('/users/x')).toBeNull();
  });

  it('anchors regex paths at the start and returns named and numbered captures', () => {
    const r = new Router([route('re', { paths: ['~/v(?<ver>\\d)/items/(\\w+)'] })]);
    const hit = r.match({ method: 'GET', host: '', path: '/v2/items/abc/rest', headers: {} });
    expect(hit?.captures).toMatchObject({ ver: '2', '1': '2', '2': 'abc', '0': '/v2/items/abc' });
    expect(hit?.strippedPath).toBe('/rest');
    expect(r.match({ method: 'GET', host: '', path: '/x/v2/items/abc', headers: {} })).toBeNull();
  });
});

describe('traditional router: categories', () => {
  it('prefers routes with more matching fields', () => {
    const m = matcher([route('path', { paths: ['/p'] }), route('path+method', { paths: ['/p'], methods: ['POST'] })]);
    expect(m('/p', { method: 'POST' })).toBe('path+method');
    expect(m('/p', { method: 'GET' })).toBe('path');
  });

  it('ranks HOST above HEADER above URI above METHOD for the same number of fields', () => {
    const routes = [
      route('method', { methods: ['GET'] }),
      route('uri', { paths: ['/'] }),
      route('header', { headers: { 'x-v': ['1'] } }),
      route('host', { hosts: ['gw.test'] }),
    ];
    const m = matcher(routes);
    expect(m('/', { headers: { 'x-v': '1' } })).toBe('host');
    expect(m('/', { host: 'other', headers: { 'x-v': '1' } })).toBe('header');
    expect(m('/', { host: 'other' })).toBe('uri');
    expect(matcher([routes[0]])('/', { host: 'other' })).toBe('method');
  });

  it('prefers plain hosts over wildcard hosts in the same category', () => {
    const m = matcher([route('wild', { hosts: ['*.example.com'] }), route('plain', { hosts: ['api.example.com'] })]);
    expect(m('/', { host: 'api.example.com' })).toBe('plain');
    expect(m('/', { host: 'www.example.com' })).toBe('wild');
    expect(m('/', { host: 'example.com' })).toBeNull();
  });

  it('prefers more headers, then the oldest route', () => {
    const m = matcher([
      route('one', { headers: { 'x-a': ['1'] } }),
      route('two', { headers: { 'x-a': ['1'], 'x-b': ['2'] } }),
      route('one-newer', { headers: { 'x-a': ['1'] } }),
    ]);
    expect(m('/', { headers: { 'x-a': '1', 'x-b': '2' } })).toBe('two');
    expect(m('/', { headers: { 'x-a': '1' } })).toBe('one');
  });
});

describe('traditional router: hosts, methods, headers', () => {
  it('matches hosts with or without a port, and ports exactly when given', () => {
    const m = matcher([route('any-port', { hosts: ['a.test'] }), route('port', { hosts: ['b.test:8080'] })]);
    expect(m('/', { host: 'a.test:9999' })).toBe('any-port');
    expect(m('/', { host: 'A.TEST' })).toBe('any-port');
    expect(m('/', { host: 'b.test:8080' })).toBe('port');
    expect(m('/', { host: 'b.test:8081' })).toBeNull();
    expect(m('/', { host: 'b.test' })).toBeNull();
  });

  it('supports suffix and prefix wildcards', () => {
    const m = matcher([route('suffix', { hosts: ['*.a.test'] }), route('prefix', { hosts: ['api.*'] })]);
    expect(m('/', { host: 'x.y.a.test' })).toBe('suffix');
    expect(m('/', { host: 'api.b.org:8000' })).toBe('prefix');
    expect(m('/', { host: 'web.b.org' })).toBeNull();
  });

  it('matches methods case-insensitively and header values (plain or ~* regex)', () => {
    const m = matcher([route('m', { methods: ['post'] }), route('h', { headers: { 'x-version': ['v1', '~*^beta-\\d+$'] } })]);
    expect(m('/', { method: 'POST' })).toBe('m');
    expect(m('/', { headers: { 'x-version': 'V1' } })).toBe('h');
    expect(m('/', { headers: { 'x-version': 'Beta-7' } })).toBe('h');
    expect(m('/', { headers: { 'x-version': 'v2' } })).toBeNull();
  });
});

describe('upstream path (path_handling v0)', () => {
  it('joins the service path and the rest with exactly one slash', () => {
    expect(joinUpstreamPath('/s', '/req', 'v0')).toBe('/s/req');
    expect(joinUpstreamPath('/s/', '/req', 'v0')).toBe('/s/req');
    expect(joinUpstreamPath('/s', 'req', 'v0')).toBe('/s/req');
    expect(joinUpstreamPath('/s', '', 'v0')).toBe('/s');
    expect(joinUpstreamPath('/s/', '', 'v0')).toBe('/s/');
    expect(joinUpstreamPath(null, '', 'v0')).toBe('/');
    expect(joinUpstreamPath(null, 'x', 'v0')).toBe('/x');
    expect(joinUpstreamPath('/s', '/fv0req', 'v0')).toBe('/s/fv0req');
  });

  it('strips the matched prefix only with strip_path', () => {
    const r = new Router([route('strip', { paths: ['/fv0'] }), route('keep', { paths: ['/keep'], strip_path: false })]);
    expect(r.match({ method: 'GET', host: '', path: '/fv0req', headers: {} })?.strippedPath).toBe('req');
    expect(r.match({ method: 'GET', host: '', path: '/keep/x', headers: {} })?.strippedPath).toBe('/keep/x');
  });
});

describe('path normalisation', () => {
  it('decodes unreserved escapes, merges slashes and resolves dot segments', () => {
    expect(normalizePath('/a/b')).toBe('/a/b');
    expect(normalizePath('/%61pi//v1/./x/../y')).toBe('/api/v1/y');
    expect(normalizePath('/a/b/..')).toBe('/a/');
    expect(normalizePath('/../../etc')).toBe('/etc');
    expect(normalizePath('/a%2Fb%20c')).toBe('/a%2Fb%20c');
    expect(normalizePath('/x/')).toBe('/x/');
  });
});
