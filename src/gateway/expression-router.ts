/**
 * Expression routes (Kong's expressions router flavor, kong/router/expressions.lua + atc.lua):
 * each route's `expression` (Kong's ATC language, src/expressions/) is checked once and evaluated
 * per request, routes in descending `priority`, equal priorities by descending id (atc-router keeps
 * its matchers in a (priority, uuid) map it walks from the top). Kong adds
 * `net.protocol == <each of the route's protocols>` unless the route is https-only (so that an
 * http request can still get the https redirect). strip_path removes the value the `http.path`
 * predicate matched (`==`, `^=`: the constant; `~`: the regex match); the service path is joined
 * as path_handling v0 (v1 does not apply to expression routes); regex captures are the route's
 * `uri_captures` when the regex has groups.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Entity } from '../config/state.js';
import { refId } from '../config/state.js';
import type { Expression } from '../expressions/ast.js';
import { amendExpression, checkExpression, HTTP_FIELDS, ROUTE_EXPRESSION_PREFIX } from '../expressions/check.js';
import { evaluate, newMatch } from '../expressions/evaluate.js';
import { requestFields, type RequestFacts } from '../expressions/request-fields.js';
import type { CompiledRoute, RouteMatch, RouterRequest } from './route-match.js';

export interface CompiledExpressionRoute {
  route: CompiledRoute;
  expression: Expression;
  priority: number;
  /** `net.protocol` values the route accepts; null: any (https-only routes). */
  protocols: ReadonlySet<string> | null;
}

const PROTOCOL_OVERRIDE: Readonly<Record<string, string>> = { grpc: 'http', grpcs: 'https', tls_passthrough: 'tcp' };

const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function isExpressionRoute(e: Entity): boolean {
  return typeof e.expression === 'string' && e.expression !== '';
}

/** Compile one expression route; throws with Kong's validation message when it does not check. */
export function compileExpressionRoute(e: Entity): CompiledExpressionRoute {
  const checked = checkExpression(amendExpression(String(e.expression)), HTTP_FIELDS);
  if ('error' in checked) throw new Error(`route '${typeof e.name === 'string' ? e.name : e.id}': ${ROUTE_EXPRESSION_PREFIX}${checked.error}`);
  const protocols = strList(e.protocols).length ? strList(e.protocols) : ['http', 'https'];
  const route: CompiledRoute = {
    id: e.id,
    name: typeof e.name === 'string' ? e.name : null,
    entity: e,
    serviceId: refId(e.service),
    protocols: new Set(protocols),
    methods: null,
    hosts: [],
    headers: [],
    uris: [],
    stripPath: e.strip_path !== false,
    preserveHost: e.preserve_host === true,
    pathHandling: 'v0',
    httpsRedirectStatus: typeof e.https_redirect_status_code === 'number' ? e.https_redirect_status_code : 426,
    category: 0,
    matchWeight: 0,
    submatchWeight: 0,
    regexPriority: 0,
    maxUriLength: 0,
    createdAt: typeof e.created_at === 'number' ? e.created_at : 0,
  };
  const httpsOnly = protocols.length === 1 && protocols[0] === 'https';
  return {
    route,
    expression: checked.expression,
    priority: typeof e.priority === 'number' ? e.priority : 0,
    protocols: httpsOnly ? null : new Set(protocols.map((p) => PROTOCOL_OVERRIDE[p] ?? p)),
  };
}

function factsOf(req: RouterRequest): RequestFacts {
  const msg: IncomingMessage | undefined = req.req;
  const socket = msg?.socket as (TLSSocket & { encrypted?: boolean }) | undefined;
  const q = req.query ?? '';
  return {
    method: req.method,
    host: req.host,
    path: req.path,
    query: q,
    headers: () => msg?.headersDistinct ?? Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, v === undefined ? undefined : Array.isArray(v) ? v : [v]])),
    protocol: socket?.encrypted ? 'https' : 'http',
    srcIp: socket?.remoteAddress ?? '',
    srcPort: socket?.remotePort ?? 0,
    dstIp: socket?.localAddress ?? '',
    dstPort: socket?.localPort ?? 0,
    sni: socket?.encrypted && typeof socket.servername === 'string' ? socket.servername : null,
  };
}

export class ExpressionRoutes {
  readonly compiled: readonly CompiledExpressionRoute[];

  constructor(entities: readonly Entity[]) {
    this.compiled = entities.map(compileExpressionRoute).sort((a, b) => b.priority - a.priority || (a.route.id < b.route.id ? 1 : a.route.id > b.route.id ? -1 : 0));
  }

  match(req: RouterRequest): RouteMatch | null {
    const facts = factsOf(req);
    const read = requestFields(facts);
    for (const c of this.compiled) {
      if (c.protocols !== null && !c.protocols.has(facts.protocol)) continue;
      const m = newMatch();
      if (!evaluate(c.expression, read, m)) continue;
      const prefix = m.matches.get('http.path');
      const strip = c.route.stripPath && prefix !== undefined;
      const captures = Object.keys(m.captures).length > 1 ? m.captures : {};
      return { route: c.route, strippedPath: strip ? req.path.slice(prefix.length) : req.path, matchedPrefix: strip ? prefix : null, captures };
    }
    return null;
  }
}
