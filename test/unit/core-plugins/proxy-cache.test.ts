import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheKey, headersKey, paramsKey } from '../../../src/gateway/plugins/proxy-cache/cache-key.js';
import { contentTypeMatches, directives, mediaType, resourceTtl } from '../../../src/gateway/plugins/proxy-cache/cacheability.js';
import { MemoryCache, type CachedResponse } from '../../../src/gateway/plugins/proxy-cache/memory-cache.js';
import { queryArgs } from '../../../src/gateway/request-args.js';
import { filled, problems } from './check.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('proxy-cache schema', () => {
  it("takes Kong's configurations and defaults", () => {
    expect(problems('proxy-cache', { strategy: 'memory' })).toEqual([]);
    expect(filled('proxy-cache', { strategy: 'memory' })).toMatchObject({
      response_code: [200, 301, 404], request_method: ['GET', 'HEAD'], content_type: ['text/plain', 'application/json'],
      cache_ttl: 300, cache_control: false, memory: { dictionary_name: 'kong_db_cache' },
      response_headers: { age: true, 'X-Cache-Status': true, 'X-Cache-Key': true },
    });
  });

  it('refuses what Kong refuses', () => {
    expect(problems('proxy-cache', {})).toEqual([': strategy: required field missing']);
    expect(problems('proxy-cache', { strategy: 'redis' })).toEqual(['strategy: expected one of: memory']);
    expect(problems('proxy-cache', { strategy: 'memory', response_code: [] })).toEqual(['response_code: length must be at least 1']);
    expect(problems('proxy-cache', { strategy: 'memory', response_code: [99] })).toEqual(['response_code.0: value should be between 100 and 900']);
    expect(problems('proxy-cache', { strategy: 'memory', request_method: ['DELETE'] })).toEqual(['request_method.0: expected one of: HEAD, GET, POST, PATCH, PUT']);
    expect(problems('proxy-cache', { strategy: 'memory', cache_ttl: 0 })).toHaveLength(1);
  });
});

describe('proxy-cache cache key (Kong cache_key.lua)', () => {
  const base = { consumerId: null, routeId: 'r1', method: 'GET', httpVersion: '1.1', headers: {}, body: null };
  const noVary = { varyQueryParams: null, varyHeaders: null, ignoreUriCase: false };

  it('hashes prefix|method|uri|params|headers, with the request line up to the query', () => {
    expect(cacheKey({ ...base, target: '/p?b=2&a=1', query: queryArgs('b=2&a=1') }, noVary)).toBe(sha('r1|GET|GET /p|a=1:b=2|'));
    expect(cacheKey({ ...base, target: '/P', query: {} }, { ...noVary, ignoreUriCase: true })).toBe(sha('r1|GET|get /p http/1.1||'));
    expect(cacheKey({ ...base, routeId: null, target: '/', query: {} }, noVary)).toBe(sha('default|GET|GET / HTTP/1.1||'));
    expect(cacheKey({ ...base, consumerId: 'c1', target: '/', query: {} }, noVary)).toBe(sha('c1:r1|GET|GET / HTTP/1.1||'));
  });

  it('builds the params and headers parts as Kong does', () => {
    expect(paramsKey(queryArgs('a=2&a=1&flag&e='), null)).toBe('a=1,2:e=:flag');
    expect(paramsKey(queryArgs('a=1&b=2'), ['b', 'z'])).toBe('b=2');
    expect(paramsKey(queryArgs('a=1'), [])).toBe('a=1');
    expect(headersKey({ 'x-tenant': 't1', accept: 'a' }, null)).toBe('');
    expect(headersKey({ 'x-tenant': 't1', accept: 'a' }, ['X-Tenant'])).toBe('X-Tenant=t1');
  });

  it('adds the digest of a request body (aigw): two prompts, two keys', () => {
    const post = (b: string) => cacheKey({ ...base, method: 'POST', target: '/chat', query: {}, body: Buffer.from(b) }, noVary);
    expect(post('{"q":1}')).toBe(sha(`r1|POST|POST /chat HTTP/1.1|||${sha('{"q":1}')}`));
    expect(post('{"q":1}')).not.toBe(post('{"q":2}'));
    expect(cacheKey({ ...base, method: 'POST', target: '/chat', query: {}, body: Buffer.alloc(0) }, noVary)).toBe(sha('r1|POST|POST /chat HTTP/1.1||'));
  });
});

describe('proxy-cache cacheability', () => {
  const accepted = ['text/plain', 'application/json', 'text/*', 'application/json; charset=utf-8'].map((t) => mediaType(t)!);
  it('matches content types exactly, parameters included, with wildcards', () => {
    expect(contentTypeMatches('application/json', accepted.slice(0, 2))).toBe(true);
    expect(contentTypeMatches('application/json; charset=utf-8', accepted.slice(0, 2))).toBe(false);
    expect(contentTypeMatches('application/json; charset=utf-8', accepted)).toBe(true);
    expect(contentTypeMatches('text/html', accepted)).toBe(true);
    expect(contentTypeMatches('text/html', accepted.slice(0, 2))).toBe(false);
    expect(contentTypeMatches('not a type', accepted)).toBe(false);
  });

  it("parses Cache-Control as Kong's parse_directive_header and computes the resource TTL", () => {
    const cc = directives('Public, max-age=60, s-maxage=30, x=y');
    expect([...cc]).toEqual([['public', true], ['max-age', 60], ['s-maxage', 30], ['x', 'y']]);
    expect(resourceTtl(cc, undefined, 0)).toBe(30);
    expect(resourceTtl(directives('max-age=-5'), undefined, 0)).toBe(0);
    expect(resourceTtl(directives(undefined), new Date(100_000).toUTCString(), 40_000)).toBe(60);
    expect(resourceTtl(directives('no-cache'), 'garbage', 0)).toBe(0);
  });
});

describe('proxy-cache memory store', () => {
  const entry = (size: number): CachedResponse => ({ status: 200, headers: {}, body: Buffer.alloc(size), timestamp: 0, ttl: 1, reqBody: null });
  it('expires entries after their storage TTL and evicts the least recently used beyond its size', () => {
    const m = new MemoryCache(100);
    m.set('a', entry(40), 10, 0);
    m.set('b', entry(40), 0, 0);
    expect(m.get('a', 9_999)).toBeDefined();
    m.set('c', entry(40), 0, 0);
    expect([m.get('b', 0), m.get('a', 0)?.status, m.get('c', 0)?.status]).toEqual([undefined, 200, 200]);
    expect(m.get('a', 10_000)).toBeUndefined();
    expect(m.set('huge', entry(101), 0, 0)).toBe(false);
    m.flush();
    expect(m.size).toBe(0);
  });
});
