/**
 * Kong's traditional router (kong.md §5), compiled once per Runtime.
 *
 *   request ─► hits: host (plain, then wildcard) · header names · uri (regex, exact, longest prefix) · method
 *           ─► request category = fields that hit something
 *           ─► categories in weight order (more fields first; HOST > HEADER > URI > METHOD)
 *               whose fields ⊆ request category
 *               ─► routes indexed by the hit (reduced), then every route of the category,
 *                   each in Kong's sort order; first full match wins
 */
import type { IncomingMessage } from 'node:http';
import type { Entity } from '../config/state.js';
import { refId } from '../config/state.js';
import { UriCandidates, UriIndex } from './uri-index.js';
import { compileKongRegex } from '../config/regex.js';
import { runAtOnce, type Steps } from './time-slices.js';

const HOST = 0x40;
const HEADER = 0x20;
const URI = 0x10;
const METHOD = 0x08;

const SUB_REGEX_URI = 0x01;
const SUB_PLAIN_HOSTS_ONLY = 0x02;
const SUB_WILDCARD_HOST_PORT = 0x04;

interface HostMatcher {
  value: string;
  wildcard: RegExp | null;
}

interface UriMatcher {
  value: string;
  regex: RegExp | null;
}

interface HeaderMatcher {
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

interface Category {
  bits: number;
  weight: number;
  routes: CompiledRoute[];
  byHost: Map<string, CompiledRoute[]>;
  byUri: Map<string, CompiledRoute[]>;
  byMethod: Map<string, CompiledRoute[]>;
  byHeader: Map<string, CompiledRoute[]>;
  /** A URI category's routes that can match a path (every route of it has paths). */
  byPath: UriCandidates | null;
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

interface Hits {
  host: string | null;
  uri: string | null;
  headerNames: string[];
}

function push<K>(map: Map<K, CompiledRoute[]>, key: K, r: CompiledRoute): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(r)) list.push(r);
  } else map.set(key, [r]);
}

/** Routes compiled or indexed per step of `Router.build` (a step stays well under a millisecond). */
export const ROUTES_PER_STEP = 16;

export class Router {
  /** @internal tests: false tries every route of a category, as before UriCandidates (a differential test compares both). */
  static prunePaths = true;
  private compiledRoutes: readonly CompiledRoute[] = [];
  private categories: Category[] = [];
  private readonly plainHosts = new Set<string>();
  private readonly wildcardHosts: HostMatcher[] = [];
  private readonly regexUris: Array<{ value: string; regex: RegExp; priority: number }> = [];
  private readonly plainUris = new Set<string>();
  private uriIndex = new UriIndex([], []);
  private readonly methods = new Set<string>();
  private readonly headerNames = new Set<string>();

  /** The router of `entities`, built at once (`Router.build`: the same in steps). */
  constructor(entities: readonly Entity[] = []) {
    if (entities.length > 0) runAtOnce(this.fill(entities));
  }

  /** The router of `entities` in steps of ROUTES_PER_STEP routes (a reload runs them in time slices). */
  static *build(entities: readonly Entity[]): Steps<Router> {
    const r = new Router();
    yield* r.fill(entities);
    return r;
  }

  /** The routes in Kong's sort order. */
  get routes(): readonly CompiledRoute[] {
    return this.compiledRoutes;
  }

  private *fill(entities: readonly Entity[]): Steps<void> {
    const routes: CompiledRoute[] = [];
    for (let i = 0; i < entities.length; i++) {
      if (i > 0 && i % ROUTES_PER_STEP === 0) yield;
      routes.push(compileRoute(entities[i]));
    }
    yield;
    routes.sort(compareRoutes);
    this.compiledRoutes = routes;
    yield;
    const cats = new Map<number, Category>();
    for (let i = 0; i < routes.length; i++) {
      if (i > 0 && i % ROUTES_PER_STEP === 0) yield;
      const r = routes[i];
      let cat = cats.get(r.category);
      if (!cat) {
        cat = { bits: r.category, weight: r.matchWeight, routes: [], byHost: new Map(), byUri: new Map(), byMethod: new Map(), byHeader: new Map(), byPath: r.category & URI ? new UriCandidates() : null };
        cats.set(r.category, cat);
      }
      cat.byPath?.add(cat.routes.length, r.uris);
      cat.routes.push(r);
      this.index(r, cat);
    }
    yield;
    for (const cat of cats.values()) cat.byPath?.seal();
    this.categories = [...cats.values()].sort((a, b) => b.weight - a.weight || b.bits - a.bits);
    this.regexUris.sort((a, b) => b.priority - a.priority);
    this.uriIndex = new UriIndex(this.regexUris, this.plainUris);
  }

  private index(r: CompiledRoute, cat: Category): void {
    for (const h of r.hosts) {
      if (h.wildcard) this.wildcardHosts.push(h);
      else this.plainHosts.add(h.value);
      push(cat.byHost, h.value, r);
    }
    for (const u of r.uris) {
      if (u.regex) this.regexUris.push({ value: u.value, regex: u.regex, priority: r.regexPriority });
      else this.plainUris.add(u.value);
      push(cat.byUri, u.value, r);
    }
    for (const m of r.methods ?? []) {
      this.methods.add(m);
      push(cat.byMethod, m, r);
    }
    for (const h of r.headers) {
      this.headerNames.add(h.name);
      push(cat.byHeader, h.name, r);
    }
  }

  match(req: RouterRequest): RouteMatch | null {
    const host = req.host.toLowerCase();
    const hostname = stripPort(host);
    const hits: Hits = { host: null, uri: null, headerNames: [] };
    let reqCategory = 0;
    if (this.plainHosts.has(host)) hits.host = host;
    else if (this.plainHosts.has(hostname)) hits.host = hostname;
    else for (const w of this.wildcardHosts) if (w.wildcard?.test(host)) { hits.host = w.value; break; }
    if (hits.host !== null) reqCategory |= HOST;
    for (const name of this.headerNames) if (req.headers[name] !== undefined) hits.headerNames.push(name);
    if (hits.headerNames.length) reqCategory |= HEADER;
    hits.uri = this.uriHit(req.path);
    if (hits.uri !== null) reqCategory |= URI;
    if (this.methods.has(req.method)) reqCategory |= METHOD;
    for (const cat of this.categories) {
      if ((cat.bits & reqCategory) !== cat.bits) continue;
      const reduced = this.reduce(cat, hits, req.method);
      if (reduced) for (const r of reduced) {
        const m = matchRoute(r, req, host, hostname, hits);
        if (m) return m;
      }
      // every route of the category, or in a path category only those whose paths could match
      const ranks = cat.byPath && Router.prunePaths ? cat.byPath.ranks(req.path) : null;
      const n = ranks ? ranks.length : cat.routes.length;
      for (let k = 0; k < n; k++) {
        const m = matchRoute(cat.routes[ranks ? ranks[k] : k], req, host, hostname, hits);
        if (m) return m;
      }
    }
    return null;
  }

  private uriHit(path: string): string | null {
    return this.uriIndex.hit(path);
  }

  private reduce(cat: Category, hits: Hits, method: string): CompiledRoute[] | undefined {
    if (cat.bits & HOST && hits.host !== null) return cat.byHost.get(hits.host);
    if (cat.bits & HEADER && hits.headerNames.length) return cat.byHeader.get(hits.headerNames[0]);
    if (cat.bits & URI && hits.uri !== null) return cat.byUri.get(hits.uri);
    if (cat.bits & METHOD) return cat.byMethod.get(method);
    return undefined;
  }
}

function stripPort(host: string): string {
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

function matchRoute(r: CompiledRoute, req: RouterRequest, host: string, hostname: string, hits: Hits): RouteMatch | null {
  if (r.methods && !r.methods.has(req.method)) return null;
  if (r.hosts.length && !matchHosts(r, host, hostname, hits.host)) return null;
  if (r.headers.length && !matchHeaders(r, req.headers)) return null;
  if (!r.uris.length) return { route: r, strippedPath: req.path, matchedPrefix: null, captures: {} };
  const u = matchUris(r, req.path, hits.uri);
  if (!u) return null;
  const stripped = r.stripPath ? req.path.slice(u.matched.length) : req.path;
  return { route: r, strippedPath: stripped, matchedPrefix: r.stripPath ? u.matched : null, captures: u.captures };
}

/**
 * Join the service path and the (possibly stripped) request path. v0 joins with exactly one `/`;
 * an empty remainder keeps the service path as is.
 */
export function joinUpstreamPath(servicePath: string | null, rest: string, handling: 'v0' | 'v1'): string {
  const base = servicePath === null || servicePath === '' ? '/' : servicePath;
  if (rest === '') return base;
  if (base === '/') return rest.startsWith('/') ? rest : `/${rest}`;
  if (handling === 'v1') return base.endsWith('/') && rest.startsWith('/') ? base + rest.slice(1) : base + rest;
  return `${base.endsWith('/') ? base.slice(0, -1) : base}/${rest.startsWith('/') ? rest.slice(1) : rest}`;
}

const UNRESERVED = /%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;

/**
 * Path normalisation before matching, as Kong/nginx do: percent-decoding of unreserved
 * characters, merged slashes, and `.`/`..` segments resolved. Cheap when nothing needs doing.
 */
export function normalizePath(path: string): string {
  if (!path.includes('%') && !path.includes('//') && !path.includes('/.')) return path;
  const decoded = path.replace(UNRESERVED, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
  const out: string[] = [];
  const parts = decoded.split('/');
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i];
    const last = i === parts.length - 1;
    if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else if (seg === '.' || (seg === '' && !last)) {
      if (last) out.push('');
    } else out.push(seg);
  }
  return `/${out.join('/')}`;
}
