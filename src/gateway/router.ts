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
import type { Entity } from '../config/state.js';
import { compareRoutes, compileRoute, matchRoute, stripPort, HEADER, HOST, METHOD, URI, type CompiledRoute, type Hits, type HostMatcher, type RouteMatch, type RouterRequest } from './route-match.js';
import { UriCandidates, UriIndex, indexAdd } from './uri-index.js';
import { runAtOnce, type Steps } from './time-slices.js';

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
      indexAdd(cat.byHost, h.value, r);
    }
    for (const u of r.uris) {
      if (u.regex) this.regexUris.push({ value: u.value, regex: u.regex, priority: r.regexPriority });
      else this.plainUris.add(u.value);
      indexAdd(cat.byUri, u.value, r);
    }
    for (const m of r.methods ?? []) {
      this.methods.add(m);
      indexAdd(cat.byMethod, m, r);
    }
    for (const h of r.headers) {
      this.headerNames.add(h.name);
      indexAdd(cat.byHeader, h.name, r);
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
