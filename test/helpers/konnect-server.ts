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
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ControlPlanes, type ControlPlaneSeed } from './konnect/control-planes.js';
import type { CoreOptions } from './konnect/core-entities.js';
import { controlPlaneHandle, seedKonnectManaged, type ControlPlaneHandle } from './konnect/cp-handle.js';
import { Gate, type Fault, type RateLimitOptions, type StormOptions } from './konnect/gate.js';
import { entitySchemas } from './konnect/json-schemas.js';
import { guarded, isPlatformPath, routeKonnect } from './konnect/platform-routes.js';
import { PASSTHROUGH_PLUGINS, PLUGIN_SCHEMAS, type PluginSchema } from './konnect/plugin-schemas.js';
import { Traffic, type RecordedRequest } from './konnect/traffic.js';
import { parseJsonBody, readBody, send, type Reply } from './konnect/wire.js';

export type { ControlPlaneSeed } from './konnect/control-planes.js';
export type { ControlPlaneHandle } from './konnect/cp-handle.js';
export type { Fault, RateLimitOptions, StormOptions } from './konnect/gate.js';
export type { RecordedRequest } from './konnect/traffic.js';
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
  /** Delay before every answer (ms): a stand-in for the network round trip to Konnect (benchmarks). */
  latencyMs?: number;
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

function coreOptions(o: KonnectServerOptions): CoreOptions {
  return {
    schemas: entitySchemas({ routeProtocols: o.routeProtocols ?? ['https'] }),
    plugins: { schemas: { ...PLUGIN_SCHEMAS, ...(o.pluginSchemas ?? {}) }, passthrough: o.passthroughPlugins ?? PASSTHROUGH_PLUGINS },
    omitZeroDefaults: o.omitZeroDefaults ?? false,
  };
}

/** Auth, then rate limit, then injected faults, then the API itself. */
async function answer(req: http.IncomingMessage, gate: Gate, traffic: Traffic, route: (r: Parameters<typeof routeKonnect>[2]) => Reply): Promise<Reply> {
  const text = await readBody(req);
  const u = new URL(req.url ?? '/', 'http://konnect.local');
  const method = (req.method ?? 'GET').toUpperCase();
  traffic.sawToken(Gate.tokenOf(req.headers.authorization));
  const fault = (): Reply | undefined => {
    const f = gate.fault(method, u.pathname);
    if (f) traffic.stats.faults++;
    return f;
  };
  const reply =
    gate.authenticate(req.headers.authorization, isPlatformPath(u.pathname)) ??
    gate.throttle() ??
    fault() ??
    guarded(() =>
      route({
        method,
        segments: u.pathname.split('/').filter(Boolean).map(decodeURIComponent),
        query: u.searchParams,
        body: method === 'GET' ? undefined : parseJsonBody(text),
      }),
    );
  traffic.record({
    method,
    path: u.pathname,
    query: Object.fromEntries(u.searchParams),
    url: req.url ?? '/',
    headers: req.headers,
    body: text,
    status: reply.status,
  });
  return reply;
}

export async function startKonnectServer(options: KonnectServerOptions = {}): Promise<KonnectServer> {
  const clock = options.clock ?? Date.now;
  const cps = new ControlPlanes({ id: options.organization?.id ?? randomUUID(), name: options.organization?.name ?? 'Kong Test Org' }, clock);
  const gate = new Gate(options.tokens, options.rateLimit, clock);
  const core = coreOptions(options);
  const traffic = new Traffic();
  const addControlPlane = (seed: ControlPlaneSeed): ControlPlaneHandle => {
    const cp = cps.add(seed);
    const h = controlPlaneHandle(cp, core);
    if (options.konnectManagedFixtures && cp.clusterType === 'CLUSTER_TYPE_CONTROL_PLANE') seedKonnectManaged(h);
    return h;
  };
  for (const seed of options.controlPlanes ?? FIXTURE_CONTROL_PLANES) addControlPlane(seed);

  const latency = options.latencyMs ?? 0;
  const server = http.createServer((req, res) => {
    answer(req, gate, traffic, (r) => routeKonnect(cps, core, r))
      .then((reply) => (latency > 0 ? new Promise<void>((r) => setTimeout(() => r(send(res, reply)), latency)) : send(res, reply)))
      .catch((e: unknown) => send(res, { status: 500, body: { message: `test server bug: ${(e as Error).message}` } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: traffic.requests,
    stats: traffic.stats,
    controlPlane: (name) => {
      const cp = cps.byName(name);
      if (!cp) throw new Error(`no control plane '${name}'`);
      return controlPlaneHandle(cp, core);
    },
    addControlPlane,
    tokensSeen: () => traffic.tokens(),
    leakedTokens: (text) => traffic.leaked(text),
    requestsLeakingToken: () => traffic.leakingRequests(),
    setRateLimit: (limit) => gate.setRateLimit(limit),
    injectRateLimitStorm: (opts) => gate.injectStorm(opts),
    injectFault: (fault) => gate.injectFault(fault),
    inject5xx: (count, status = 503, match = {}) => gate.injectFault({ ...match, status, times: count }),
    clearFaults: () => gate.clearFaults(),
    clearRequests: () => traffic.clear(),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
