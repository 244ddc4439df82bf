/**
 * Node-level Prometheus metrics with Kong's names (`kong_nginx_connections_total`,
 * `kong_nginx_requests_total`, `kong_datastore_reachable`, `kong_node_info`), read from the
 * server's counters at scrape time.
 */
import { Gauge, type Registry } from 'prom-client';
import { AIGW_VERSION } from './log.js';

export interface ServerStats {
  accepted: number;
  active: number;
  handled: number;
  inFlight: number;
  totalRequests: number;
}

export function newStats(): ServerStats {
  return { accepted: 0, active: 0, handled: 0, inFlight: 0, totalRequests: 0 };
}

export function registerNodeMetrics(registry: Registry, stats: ServerStats, nodeId: string): void {
  new Gauge({
    name: 'kong_nginx_connections_total',
    help: 'Number of connections by subsystem',
    labelNames: ['node_id', 'subsystem', 'state'],
    registers: [registry],
    collect() {
      const states: Record<string, number> = {
        accepted: stats.accepted,
        active: stats.active,
        handled: stats.handled,
        reading: 0,
        writing: stats.inFlight,
        waiting: Math.max(0, stats.active - stats.inFlight),
      };
      for (const [state, v] of Object.entries(states)) this.set({ node_id: nodeId, subsystem: 'http', state }, v);
    },
  });
  new Gauge({
    name: 'kong_nginx_requests_total',
    help: 'Number of requests total',
    labelNames: ['node_id', 'subsystem'],
    registers: [registry],
    collect() {
      this.set({ node_id: nodeId, subsystem: 'http' }, stats.totalRequests);
    },
  });
  new Gauge({
    name: 'kong_datastore_reachable',
    help: 'Datastore reachable from Kong, 0 is unreachable',
    registers: [registry],
    collect() {
      this.set(1);
    },
  });
  new Gauge({
    name: 'kong_node_info',
    help: 'Kong Node metadata information',
    labelNames: ['node_id', 'version'],
    registers: [registry],
    collect() {
      this.set({ node_id: nodeId, version: AIGW_VERSION }, 1);
    },
  });
}
