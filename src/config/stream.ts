/**
 * Kong's stream proxy: routes whose protocols are all stream protocols (`tcp`, `tls`, `udp`,
 * `tls_passthrough`) are served by Kong's stream subsystem on its own listener (`stream_listen`,
 * off by default), never by its HTTP router; a service with a stream protocol is reached by such
 * routes only. `aigw serve` has no stream listener: it stores these entities (Admin API, dumps) and
 * leaves them out of HTTP routing, as a Kong whose `stream_listen` is off does, and says so at
 * startup; `aigw validate` says it too. Used by validate and by the runtime, so both agree.
 */

export const STREAM_PROTOCOLS: readonly string[] = ['tcp', 'tls', 'tls_passthrough', 'udp'];

export const isStreamProtocol = (p: unknown): boolean => typeof p === 'string' && STREAM_PROTOCOLS.includes(p);

/** A route Kong serves on its stream listener only: every protocol is a stream protocol. */
export function isStreamRoute(route: Readonly<Record<string, unknown>>): boolean {
  const p = route.protocols;
  return Array.isArray(p) && p.length > 0 && p.every(isStreamProtocol);
}

/** A plugin that runs on stream protocols only (its `protocols`): never on an HTTP request. */
export const isStreamOnlyPlugin = isStreamRoute;

/** A service with a stream protocol (`tcp`, `tls`, `udp`, `tls_passthrough`): only stream routes reach it in Kong. */
export const isStreamService = (service: Readonly<Record<string, unknown>>): boolean => isStreamProtocol(service.protocol);

const list = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : String(v));

/** Why a stream route is not routed (validate's warning and serve's startup warning say the same). */
export function streamRouteWhy(route: Readonly<Record<string, unknown>>): string {
  return `a stream route (protocols: ${list(route.protocols)}): Kong serves it on its stream listener (stream_listen), `
    + 'never to HTTP requests; aigw serve has no stream listener, so it stores the route and leaves it out of routing, '
    + 'with the plugins scoped to it';
}

/** Why a stream service is not proxied to. */
export function streamServiceWhy(service: Readonly<Record<string, unknown>>): string {
  return `protocol '${String(service.protocol)}' is a stream protocol: only stream routes reach it (Kong's stream_listen); `
    + 'aigw serve has no stream listener, so it stores the service and proxies nothing to it, and does not run the plugins scoped to it';
}

/** Why a stream-only plugin does not run. */
export function streamPluginWhy(plugin: Readonly<Record<string, unknown>>): string {
  return `it runs on stream protocols only (protocols: ${list(plugin.protocols)}); aigw serve has no stream listener, so it stores the plugin and does not run it`;
}

/** Why an HTTP route to a stream service is refused. */
export function httpToStreamWhy(service: Readonly<Record<string, unknown>>, serviceName: string): string {
  return `its service ${serviceName} has protocol '${String(service.protocol)}', a stream protocol that only stream routes reach in Kong; `
    + 'aigw serve proxies HTTP routes to http and https services only';
}
