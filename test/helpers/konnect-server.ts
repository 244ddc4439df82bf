/**
 * A local Kong Konnect API for tests: `startKonnectServer()` listens on 127.0.0.1:0 and answers the
 * Konnect calls a decK-compatible tool makes (control-plane lookup, core entities, JSON-Schema defaults,
 * plugin schemas, validation, consumer-group membership, propagation to data planes), with Konnect's
 * error bodies, token checks, a rate limiter and injectable faults. It is written from Konnect's
 * documented behaviour, never from aigw's own Admin API (nothing here imports src/).
 *
 * Sources (read; nothing copied):
 * - Kong/developer.konghq.com @ bc1cd74260f0 (2026-08-21): api-specs/konnect/control-planes/v2/openapi.yaml
 *   (list/create/get control planes, filters, paging, problem+json errors, security schemes) and
 *   api-specs/konnect/control-planes-config/v2/openapi.yaml (spec 3.15.0: core-entity paths and methods,
 *   entity schemas and defaults, paging/tags, expected-config-hash, nodes, schemas/validate, 401 body);
 *   that file's history for the route `protocols` default ([http, https] → [https] at 7eabcf569, 2026-04-09).
 * - Kong/go-database-reconciler @ 8f5e476d551d (v1.40.3): pkg/konnect (runtime_groups listing, org lookup,
 *   konnect-managed tags), pkg/dump (size=1000, AND tags, per-group GET, top-level targets, konnect-managed
 *   filtering), pkg/schema/fetchers.go (`/v1/schemas/json/{name}` via the root URL, vault allOf layout),
 *   pkg/utils (defaulter, static Konnect defaults, Konnect workspace check).
 * - Kong/go-kong @ dae27d2546f4: request.go/client.go (NewKonnectWorkspaceRequest = root URL), utils.go
 *   (flattenJSONSchema), consumer_group_service.go (PUT on Konnect), service_service.go (PUT /{id}),
 *   credentials_service.go (`skip_hash`).
 * - Kong/deck @ 4657ee3777a7: validate/validate.go (`/schemas/{entity}/validate` names), sanitize/schemas.go.
 * - Kong/koko @ 1b5cdf241279 (the open-source ancestor of Konnect's control plane): error translation
 *   (validation/translator.go), typedefs, route/consumer/key rules, constraint and not-found mapping
 *   (server/util/helpers.go), plugin validation messages and "plugin(x) does not exist", cascade deletes.
 * - Kong/kong-operator controller/konnect/ops error fixtures ("data constraint error", "… (type: unique)
 *   constraint failed", 403 "operation not permitted on KIC cluster"); Kong/sdk-konnect-go docs
 *   (FetchCoreEntityJSONSchema path); Kong/public-ui-components tests (`…/v1/schemas/json/plugin/validate`).
 * - Issues: Kong/go-kong#398, Kong/deck#932, #1035, #1364, #1957; shared/reference/konnect.md §4.
 * Every inferred detail (no source found) is marked "inferred" where it is implemented.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ControlPlanes, type ControlPlane, type ControlPlaneSeed } from './konnect/control-planes.js';
import { handleCore, type CoreOptions } from './konnect/core-entities.js';
import { kindSpec, KONNECT_MANAGED_PLUGIN_TAG, KONNECT_MANAGED_TAG, type KindSpec } from './konnect/entity-kinds.js';
import { writeEntity } from './konnect/entity-writes.js';
import { Gate, type Fault, type RateLimitOptions, type StormOptions } from './konnect/gate.js';
import { entitySchemas } from './konnect/json-schemas.js';
import { PASSTHROUGH_PLUGINS, PLUGIN_SCHEMAS, type PluginSchema } from './konnect/plugin-schemas.js';
import { KonnectHttpError, legacyError, methodNotAllowed, noRoute, parseJsonBody, readBody, send, type Json, type JsonObject, type Reply } from './konnect/wire.js';

export type { ControlPlaneSeed } from './konnect/control-planes.js';
export type { Fault, RateLimitOptions, StormOptions } from './konnect/gate.js';
export type { Json, JsonObject } from './konnect/wire.js';
export { KONNECT_MANAGED_PLUGIN_TAG, KONNECT_MANAGED_TAG } from './konnect/entity-kinds.js';

/** The control planes every server starts with unless `controlPlanes` is given. */
export const FIXTURE_CONTROL_PLANES: ControlPlaneSeed[] = [
  { name: 'default', description: 'A hybrid control plane' },
  { name: 'kic-cp', cluster_type: 'CLUSTER_TYPE_K8S_INGRESS_CONTROLLER', description: 'Managed by the Kong Ingress Controller' },
  { name: 'cp-group', cluster_type: 'CLUSTER_TYPE_CONTROL_PLANE_GROUP', description: 'A control plane group' },
];

export interface KonnectServerOptions {
  /** Accepted tokens; by default any well-formed `kpat_…`/`spat_…` token. */
  tokens?: string[];
  organization?: { id?: string; name?: string };
  controlPlanes?: ControlPlaneSeed[];
  /** Route `protocols` default served and filled (default `['https']`, the spec since Kong 3.14). */
  routeProtocols?: string[];
  /** Serve JSON Schemas without `default: false|0|""` (koko's generator dropped zero defaults). */
  omitZeroDefaults?: boolean;
  rateLimit?: RateLimitOptions;
  /** Extra or replacement Lua plugin schemas. */
  pluginSchemas?: Record<string, PluginSchema>;
  /** Plugin names accepted with their config stored as sent (default: PASSTHROUGH_PLUGINS). */
  passthroughPlugins?: string[];
  /** Seed konnect-managed entities into every plain control plane. */
  konnectManagedFixtures?: boolean;
  /** Milliseconds clock for the rate limiter, storms and data-plane delays (default Date.now). */
  clock?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface ControlPlaneHandle {
  id: string;
  name: string;
  /** Stored entities of a kind (as stored, in creation order). */
  entities(kind: string, workspace?: string): JsonObject[];
  /** Member consumer ids of a consumer group id. */
  members(groupId: string, workspace?: string): string[];
  expectedHash(): string;
  /** Make one data plane adopt changes `ms` late (Infinity: never). */
  setDataPlaneDelay(hostname: string, ms: number): void;
  /** Write an entity directly (validated and defaulted like an API call, not recorded). */
  seed(kind: string, body: JsonObject, workspace?: string): JsonObject;
}

export interface KonnectServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  stats: { total: number; served: number; rateLimited: number; faults: number };
  controlPlane(name: string): ControlPlaneHandle;
  addControlPlane(seed: ControlPlaneSeed): ControlPlaneHandle;
  /** Every well-formed token presented so far. */
  tokensSeen(): string[];
  /** The presented tokens that occur in `text` (e.g. a CLI's output). */
  leakedTokens(text: string): string[];
  /** Requests that carried a token anywhere but the Authorization header. */
  requestsLeakingToken(): RecordedRequest[];
  setRateLimit(limit: RateLimitOptions | undefined): void;
  injectRateLimitStorm(opts: StormOptions): void;
  injectFault(fault: Fault): void;
  /** The next `count` matching requests answer `status` (default 503). */
  inject5xx(count: number, status?: number, match?: Pick<Fault, 'method' | 'path'>): void;
  clearFaults(): void;
  clearRequests(): void;
  close(): Promise<void>;
}

const MANAGED = (cp: string): Array<[string, JsonObject]> => [
  ['services', { name: 'konnect-portal', host: 'portal.konnect.internal', tags: [KONNECT_MANAGED_TAG] }],
  ['routes', { name: 'konnect-portal', paths: ['/konnect-portal'], service: { id: '' }, tags: [KONNECT_MANAGED_TAG] }],
  ['consumers', { username: `konnect-app-${cp}`, tags: [KONNECT_MANAGED_TAG] }],
  ['plugins', { name: 'konnect-application-auth', config: { scope: cp }, tags: [KONNECT_MANAGED_PLUGIN_TAG] }],
];

export async function startKonnectServer(options: KonnectServerOptions = {}): Promise<KonnectServer> {
  const org = { id: options.organization?.id ?? randomUUID(), name: options.organization?.name ?? 'Kong Test Org' };
  const clock = options.clock ?? Date.now;
  const cps = new ControlPlanes(org, clock);
  const gate = new Gate(options.tokens, options.rateLimit, clock);
  const core: CoreOptions = {
    schemas: entitySchemas({ routeProtocols: options.routeProtocols ?? ['https'] }),
    plugins: { schemas: { ...PLUGIN_SCHEMAS, ...(options.pluginSchemas ?? {}) }, passthrough: options.passthroughPlugins ?? PASSTHROUGH_PLUGINS },
    omitZeroDefaults: options.omitZeroDefaults ?? false,
  };
  const requests: RecordedRequest[] = [];
  const stats = { total: 0, served: 0, rateLimited: 0, faults: 0 };
  const seen = new Set<string>();

  const handle = (cp: ControlPlane): ControlPlaneHandle => {
    const storeOf = (ws = ''): NonNullable<ReturnType<ControlPlane['stores']['get']>> => {
      const st = cp.stores.get(ws);
      if (!st) throw new Error(`no workspace '${ws}' in ${cp.name}`);
      return st;
    };
    return {
      id: cp.id,
      name: cp.name,
      entities: (kind, ws) => storeOf(ws).all(kind),
      members: (groupId, ws) => [...(storeOf(ws).members.get(groupId) ?? [])],
      expectedHash: () => cp.propagation.expectedHash,
      setDataPlaneDelay: (hostname, ms) => cp.propagation.setDelay(hostname, ms),
      seed: (kind, body, ws) => {
        const spec = kindSpec(kind) as KindSpec;
        const id = typeof body.id === 'string' ? body.id : randomUUID();
        return writeEntity(spec, body, { ...core, store: storeOf(ws) }, id);
      },
    };
  };

  const addControlPlane = (seed: ControlPlaneSeed): ControlPlaneHandle => {
    const cp = cps.add(seed);
    const h = handle(cp);
    if (options.konnectManagedFixtures && cp.clusterType === 'CLUSTER_TYPE_CONTROL_PLANE') {
      let serviceId = '';
      for (const [kind, body] of MANAGED(cp.name)) {
        const saved = h.seed(kind, kind === 'routes' ? { ...body, service: { id: serviceId } } : body);
        if (kind === 'services') serviceId = saved.id as string;
      }
    }
    return h;
  };
  for (const seed of options.controlPlanes ?? FIXTURE_CONTROL_PLANES) addControlPlane(seed);

  const route = (method: string, segments: string[], query: URLSearchParams, body: Json | undefined): Reply => {
    const [v2, a, id, b] = segments;
    if (segments[0] === 'konnect-api' && segments[1] === 'api' && segments[2] === 'runtime_groups' && segments.length === 3)
      return method === 'GET' ? cps.runtimeGroups(query) : raise(methodNotAllowed(['GET']));
    if (v2 !== 'v2') throw noRoute();
    if (a === 'organizations' && id === 'me' && segments.length === 3) return method === 'GET' ? cps.organization() : raise(methodNotAllowed(['GET']));
    if (a !== 'control-planes') throw noRoute();
    if (id === undefined) return method === 'GET' ? cps.list(query) : method === 'POST' ? cps.create(body) : raise(methodNotAllowed(['GET', 'POST']));
    if (b === undefined) return method === 'GET' ? cps.get(id) : raise(methodNotAllowed(['GET']));
    const cp = cps.byId(id);
    if (!cp) throw legacyError(404, 'Not Found');
    const rest = segments.slice(4);
    if (b === 'core-entities') return handleCore({ method, rest, query, body, cp, base: `/v2/control-planes/${cp.id}/core-entities` }, core);
    if (method !== 'GET') throw methodNotAllowed(['GET']);
    if (b === 'expected-config-hash' && rest.length === 0) return { status: 200, body: cp.propagation.expected() };
    if (b === 'nodes' && rest.length === 0) {
      const size = Math.min(100, Math.max(1, Number(query.get('page[size]') ?? 10) || 10));
      return { status: 200, body: cp.propagation.list(size, query.get('page[after]') || undefined) };
    }
    if (b === 'nodes' && rest.length === 1) return { status: 200, body: cp.propagation.get(rest[0] as string) ?? raise(legacyError(404, 'Not Found')) };
    throw noRoute();
  };

  const answer = async (req: http.IncomingMessage): Promise<{ reply: Reply; rec: RecordedRequest }> => {
    const text = await readBody(req);
    const u = new URL(req.url ?? '/', 'http://konnect.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const rec: RecordedRequest = { method, path: u.pathname, query: Object.fromEntries(u.searchParams), url: req.url ?? '/', headers: req.headers, body: text, status: 0 };
    const token = Gate.tokenOf(req.headers.authorization);
    if (token) seen.add(token);
    const platform = /^\/v2\/(control-planes\/?$|control-planes\/[^/]+\/?$|organizations\/)/.test(u.pathname);
    const reply =
      gate.authenticate(req.headers.authorization, platform) ??
      gate.throttle() ??
      countFault(gate.fault(method, u.pathname)) ??
      guarded(() => route(method, u.pathname.split('/').filter(Boolean).map(decodeURIComponent), u.searchParams, method === 'GET' ? undefined : parseJsonBody(text)));
    return { reply, rec };
  };
  const countFault = (r: Reply | undefined): Reply | undefined => {
    if (r) stats.faults++;
    return r;
  };

  const server = http.createServer((req, res) => {
    answer(req)
      .then(({ reply, rec }) => {
        rec.status = reply.status;
        requests.push(rec);
        stats.total++;
        if (reply.status === 429) stats.rateLimited++;
        else stats.served++;
        send(res, reply);
      })
      .catch((e: unknown) => send(res, { status: 500, body: { message: `test server bug: ${(e as Error).message}` } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;

  const leaked = (text: string): string[] => [...seen].filter((t) => text.includes(t));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    stats,
    controlPlane: (name) => {
      const cp = cps.byName(name);
      if (!cp) throw new Error(`no control plane '${name}'`);
      return handle(cp);
    },
    addControlPlane,
    tokensSeen: () => [...seen],
    leakedTokens: leaked,
    requestsLeakingToken: () =>
      requests.filter((r) => {
        const { authorization: _auth, ...others } = r.headers;
        return leaked(`${r.url}\n${r.body}\n${JSON.stringify(others)}`).length > 0;
      }),
    setRateLimit: (limit) => gate.setRateLimit(limit),
    injectRateLimitStorm: (opts) => gate.injectStorm(opts),
    injectFault: (fault) => gate.injectFault(fault),
    inject5xx: (count, status = 503, match = {}) => gate.injectFault({ ...match, status, times: count }),
    clearFaults: () => gate.clearFaults(),
    clearRequests: () => void requests.splice(0, requests.length),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function raise(e: KonnectHttpError): never {
  throw e;
}

function guarded(fn: () => Reply): Reply {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KonnectHttpError) return e.reply;
    throw e;
  }
}
