/**
 * One route of Kong's traditional router (kong.md §5): its entity compiled into matchers (hosts,
 * headers, paths, methods) with its category and Kong's sort keys, and the test of one request
 * against it. The Router (router.ts) decides which routes are tried, in which order.
 */
import type { IncomingMessage } from 'node:http';
import type { Entity } from '../config/state.js';
import { refId } from '../config/state.js';
import { compileKongRegex } from '../config/regex.js';

export const HOST = 0x40;
export const HEADER = 0x20;
export const URI = 0x10;
export const METHOD = 0x08;

const SUB_REGEX_URI = 0x01;
const SUB_PLAIN_HOSTS_ONLY = 0x02;
const SUB_WILDCARD_HOST_PORT = 0x04;

export interface HostMatcher {
  value: string;
  wildcard: RegExp | null;
}

export interface UriMatcher {
  value: string;
  regex: RegExp | null;
}

export interface HeaderMatcher {
  name: string;
  plain: Set<string>;
  regexes: RegExp[];
}

export interface CompiledRoute {
  id: string;
  name: string | null;
  entity: Entity;
  serviceId: string | null;
  protocols: ReadonlySet<string>;
  methods: ReadonlySet<string> | null;
  hosts: HostMatcher[];
  headers: HeaderMatcher[];
  uris: UriMatcher[];
  stripPath: boolean;
  preserveHost: boolean;
  pathHandling: 'v0' | 'v1';
  httpsRedirectStatus: number;
  category: number;
  matchWeight: number;
  submatchWeight: number;
  regexPriority: number;
  maxUriLength: number;
  createdAt: number;
}

export interface RouteMatch {
  route: CompiledRoute;
  /** Upstream path after strip_path / path_handling, without the service base (joined later). */
  strippedPath: string;
  /** The part of the path that matched (prefix or regex match), for X-Forwarded-Prefix. */
  matchedPrefix: string | null;
  captures: Record<string, string>;
}

export interface RouterRequest {
  method: string;
  /** Host header value (may include a port). */
  host: string;
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Raw query and the request itself: what expression routes may read (expression-router.ts). */
  query?: string;
  req?: IncomingMessage;
}

const bitCount = (n: number): number => {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
};

const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileHost(value: string): HostMatcher {
  const v = value.toLowerCase();
  if (!v.includes('*')) return { value: v, wildcard: null };
  const hasPort = /:\d+$/.test(v);
  const body = v.split('*').map(escapeRegex).join('.+');
  return { value: v, wildcard: new RegExp(`^${body}${hasPort ? '' : '(?::\\d+)?'}$`) };
}

function compileHeaders(v: unknown): HeaderMatcher[] {
  if (v === null || typeof v !== 'object') return [];
  const out: HeaderMatcher[] = [];
  for (const [name, values] of Object.entries(v as Record<string, unknown>)) {
    const plain = new Set<string>();
    const regexes: RegExp[] = [];
    for (const value of strList(values)) {
      if (value.startsWith('~*')) regexes.push(compiled(value.slice(2), false, `header '${name}' regex '${value}'`, 'i'));
      else plain.add(value.toLowerCase());
    }
    out.push({ name: name.toLowerCase(), plain, regexes });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A Kong (PCRE) pattern as the validator compiles it, or an Error naming `what`. */
function compiled(pattern: string, anchored: boolean, what: string, extraFlags = ''): RegExp {
  const r = compileKongRegex(pattern, { anchored });
  if ('error' in r) throw new Error(`invalid ${what}: ${r.error}`);
  return extraFlags === '' || r.regex.flags.includes(extraFlags) ? r.regex : new RegExp(r.regex.source, r.regex.flags + extraFlags);
}

/** Compile one route entity. Throws on an invalid regex (path or header; validation reports those first). */
export function compileRoute(e: Entity): CompiledRoute {
  const methods = strList(e.methods).map((m) => m.toUpperCase());
  const hosts = strList(e.hosts).map(compileHost);
  const headers = compileHeaders(e.headers);
  const uris: UriMatcher[] = strList(e.paths).map((p) =>
    p.startsWith('~') ? { value: p, regex: compiled(p.slice(1), true, `regex path '${p}'`) } : { value: p, regex: null },
  );
  let category = 0;
  if (hosts.length) category |= HOST;
  if (headers.length) category |= HEADER;
  if (uris.length) category |= URI;
  if (methods.length) category |= METHOD;
  let sub = 0;
  if (uris.some((u) => u.regex)) sub |= SUB_REGEX_URI;
  if (hosts.length && hosts.every((h) => !h.wildcard)) sub |= SUB_PLAIN_HOSTS_ONLY;
  if (hosts.some((h) => h.wildcard && /:\d+$/.test(h.value))) sub |= SUB_WILDCARD_HOST_PORT;
  const plainLens = uris.filter((u) => !u.regex).map((u) => u.value.length);
  return {
    id: e.id,
    name: typeof e.name === 'string' ? e.name : null,
    entity: e,
    serviceId: refId(e.service),
    protocols: new Set(strList(e.protocols).length ? strList(e.protocols) : ['http', 'https']),
    methods: methods.length ? new Set(methods) : null,
    hosts,
    headers,
    uris,
    stripPath: e.strip_path !== false,
    preserveHost: e.preserve_host === true,
    pathHandling: e.path_handling === 'v1' ? 'v1' : 'v0',
    httpsRedirectStatus: typeof e.https_redirect_status_code === 'number' ? e.https_redirect_status_code : 426,
    category,
    matchWeight: bitCount(category),
    submatchWeight: sub,
    regexPriority: typeof e.regex_priority === 'number' ? e.regex_priority : 0,
    maxUriLength: plainLens.length ? Math.max(...plainLens) : 0,
    createdAt: typeof e.created_at === 'number' ? e.created_at : 0,
  };
}

/** Kong's sort_routes. */
export function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  if (a.matchWeight !== b.matchWeight) return b.matchWeight - a.matchWeight;
  if (a.submatchWeight !== b.submatchWeight) return b.submatchWeight - a.submatchWeight;
  if (a.headers.length !== b.headers.length) return b.headers.length - a.headers.length;
  if (a.submatchWeight & SUB_REGEX_URI && a.regexPriority !== b.regexPriority) return b.regexPriority - a.regexPriority;
  if (a.maxUriLength !== b.maxUriLength) return b.maxUriLength - a.maxUriLength;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface Hits {
  host: string | null;
  uri: string | null;
  headerNames: string[];
}

export function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const i = host.lastIndexOf(':');
  return i < 0 ? host : host.slice(0, i);
}

function matchHosts(r: CompiledRoute, host: string, hostname: string, hit: string | null): boolean {
  for (const h of r.hosts) {
    if (h.value === hit) return true;
    if (h.wildcard ? h.wildcard.test(host) : h.value === host || h.value === hostname) return true;
  }
  return false;
}

function matchHeaders(r: CompiledRoute, headers: RouterRequest['headers']): boolean {
  for (const h of r.headers) {
    const raw = headers[h.name];
    if (raw === undefined) return false;
    const values = Array.isArray(raw) ? raw : [raw];
    const ok = values.some((v) => h.plain.has(v.toLowerCase()) || h.regexes.some((re) => re.test(v)));
    if (!ok) return false;
  }
  return true;
}

interface UriResult {
  matched: string;
  captures: Record<string, string>;
}

function tryUri(u: UriMatcher, path: string): UriResult | null {
  if (!u.regex) return path.startsWith(u.value) ? { matched: u.value, captures: {} } : null;
  const m = u.regex.exec(path);
  if (!m) return null;
  const captures: Record<string, string> = {};
  m.forEach((v, i) => {
    if (v !== undefined) captures[String(i)] = v;
  });
  for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) captures[k] = v;
  return { matched: m[0], captures };
}

function matchUris(r: CompiledRoute, path: string, hit: string | null): UriResult | null {
  if (hit !== null) {
    const own = r.uris.find((u) => u.value === hit);
    if (own) {
      const res = tryUri(own, path);
      if (res) return res;
    }
  }
  for (const u of r.uris) {
    const res = tryUri(u, path);
    if (res) return res;
  }
  return null;
}

export function matchRoute(r: CompiledRoute, req: RouterRequest, host: string, hostname: string, hits: Hits): RouteMatch | null {
  if (r.methods && !r.methods.has(req.method)) return null;
  if (r.hosts.length && !matchHosts(r, host, hostname, hits.host)) return null;
  if (r.headers.length && !matchHeaders(r, req.headers)) return null;
  if (!r.uris.length) return { route: r, strippedPath: req.path, matchedPrefix: null, captures: {} };
  const u = matchUris(r, req.path, hits.uri);
  if (!u) return null;
  const stripped = r.stripPath ? req.path.slice(u.matched.length) : req.path;
  return { route: r, strippedPath: stripped, matchedPrefix: r.stripPath ? u.matched : null, captures: u.captures };
}
