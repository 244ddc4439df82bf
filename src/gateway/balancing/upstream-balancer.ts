/**
 * Upstream load balancing: weighted round-robin (smooth, nginx-style), consistent-hashing (Kong's
 * ring of `slots` points, keyed by `hash_on` / `hash_fallback`), least-connections, and Kong's
 * passive health checks (`healthchecks.passive`). One Balancer per upstream per Runtime. The
 * algorithms are the ones ai-proxy-advanced balances its targets with (weighted.ts, hash-ring.ts,
 * least-connections.ts).
 */
import type { Entity } from '../../config/state.js';
import { HashRing } from './hash-ring.js';
import { fewestConnections } from './least-connections.js';
import { SmoothWeighted } from './weighted.js';

export interface Peer {
  host: string;
  port: number;
  weight: number;
  /** host:port as written in the target. */
  name: string;
  /** A failover target (Kong 3.12+): used only when no other target is healthy. */
  failover: boolean;
}

interface PeerState extends Peer {
  active: number;
  healthy: boolean;
  tcpFailures: number;
  timeouts: number;
  httpFailures: number;
  successes: number;
}

export interface HashInput {
  consumerId: string | null;
  ip: string;
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  path: string;
  query(name: string): string | undefined;
  capture(name: string): string | undefined;
}

interface Passive {
  healthyStatuses: Set<number>;
  healthySuccesses: number;
  unhealthyStatuses: Set<number>;
  tcpFailures: number;
  timeouts: number;
  httpFailures: number;
}

export type Outcome = { kind: 'status'; status: number } | { kind: 'tcp_failure' } | { kind: 'timeout' };

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
const nums = (v: unknown, d: number[]): Set<number> => new Set(Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : d);

/** Split `host[:port]` (IPv6 in brackets); default port 8000 as Kong's targets do. */
export function parseTarget(target: string, defaultPort = 8000): { host: string; port: number } {
  if (target.startsWith('[')) {
    const end = target.indexOf(']');
    const host = target.slice(1, end);
    const rest = target.slice(end + 1);
    return { host, port: rest.startsWith(':') ? Number(rest.slice(1)) : defaultPort };
  }
  const i = target.lastIndexOf(':');
  if (i > 0 && target.indexOf(':') === i) return { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
  return { host: target, port: defaultPort };
}

export class Balancer {
  readonly name: string;
  readonly hostHeader: string | null;
  private readonly peers: PeerState[];
  private readonly algorithm: string;
  private readonly hashOn: { on: string; header: string | null; cookie: string | null; queryArg: string | null; capture: string | null };
  private readonly hashFallback: { on: string; header: string | null; cookie: string | null; queryArg: string | null; capture: string | null };
  private readonly passive: Passive;
  private readonly rr: SmoothWeighted;
  private readonly ring: HashRing | null;

  constructor(upstream: Entity, targets: readonly Entity[]) {
    this.name = String(upstream.name);
    this.hostHeader = typeof upstream.host_header === 'string' ? upstream.host_header : null;
    this.algorithm = typeof upstream.algorithm === 'string' ? upstream.algorithm : 'round-robin';
    const pick = (prefix: 'hash_on' | 'hash_fallback') => ({
      on: typeof upstream[prefix] === 'string' ? (upstream[prefix] as string) : 'none',
      header: typeof upstream[`${prefix}_header`] === 'string' ? (upstream[`${prefix}_header`] as string).toLowerCase() : null,
      cookie: typeof upstream[`${prefix}_cookie`] === 'string' ? (upstream[`${prefix}_cookie`] as string) : null,
      queryArg: typeof upstream[`${prefix}_query_arg`] === 'string' ? (upstream[`${prefix}_query_arg`] as string) : null,
      capture: typeof upstream[`${prefix}_uri_capture`] === 'string' ? (upstream[`${prefix}_uri_capture`] as string) : null,
    });
    this.hashOn = pick('hash_on');
    this.hashFallback = pick('hash_fallback');
    const passive = obj(obj(upstream.healthchecks).passive);
    const healthy = obj(passive.healthy);
    const unhealthy = obj(passive.unhealthy);
    this.passive = {
      healthyStatuses: nums(healthy.http_statuses, [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308]),
      healthySuccesses: num(healthy.successes, 0),
      unhealthyStatuses: nums(unhealthy.http_statuses, [429, 500, 503]),
      tcpFailures: num(unhealthy.tcp_failures, 0),
      timeouts: num(unhealthy.timeouts, 0),
      httpFailures: num(unhealthy.http_failures, 0),
    };
    this.peers = targets
      .map((t) => ({ ...parseTarget(String(t.target)), weight: num(t.weight, 100), name: String(t.target), failover: t.failover === true }))
      .filter((p) => p.weight > 0)
      .map((p) => ({ ...p, active: 0, healthy: true, tcpFailures: 0, timeouts: 0, httpFailures: 0, successes: 0 }));
    const weights = this.peers.map((p) => p.weight);
    this.rr = new SmoothWeighted(weights);
    this.ring = this.algorithm === 'consistent-hashing' ? new HashRing(this.peers.map((p) => p.name), weights, num(upstream.slots, 10_000)) : null;
  }

  /**
   * Pick a healthy peer, avoiding `exclude` (peers already tried) when another is available;
   * failover targets only when no other target is healthy and untried.
   */
  pick(input: HashInput, exclude: ReadonlySet<string> = new Set()): Peer | null {
    const healthy = this.indexes((p) => p.healthy);
    const open = healthy.filter((i) => !exclude.has(this.peers[i].name));
    const primary = (list: number[]) => list.filter((i) => !this.peers[i].failover);
    const backup = (list: number[]) => list.filter((i) => this.peers[i].failover);
    const candidates = [primary(open), backup(open), primary(healthy), backup(healthy)].find((c) => c.length > 0);
    if (candidates === undefined) return null;
    const i = this.pickIndex(candidates, input);
    return i === null ? null : this.peers[i];
  }

  private pickIndex(candidates: number[], input: HashInput): number | null {
    if (this.ring) {
      const key = this.hashKey(input, this.hashOn) ?? this.hashKey(input, this.hashFallback);
      if (key !== undefined) {
        const allowed = new Set(candidates);
        return this.ring.lookup(key, { has: (i) => !allowed.has(i) });
      }
    } else if (this.algorithm === 'least-connections') {
      const tied = fewestConnections(candidates, (i) => this.peers[i].active, (i) => this.peers[i].weight);
      if (tied.length === 1) return tied[0];
      return this.rr.pick(tied);
    }
    return this.rr.pick(candidates);
  }

  private indexes(test: (p: PeerState) => boolean): number[] {
    const out: number[] = [];
    this.peers.forEach((p, i) => {
      if (test(p)) out.push(i);
    });
    return out;
  }

  private hashKey(input: HashInput, spec: Balancer['hashOn']): string | undefined {
    switch (spec.on) {
      case 'consumer': return input.consumerId ?? undefined;
      case 'ip': return input.ip;
      case 'header': return spec.header ? input.header(spec.header) : undefined;
      case 'cookie': return spec.cookie ? input.cookie(spec.cookie) : undefined;
      case 'path': return input.path;
      case 'query_arg': return spec.queryArg ? input.query(spec.queryArg) : undefined;
      case 'uri_capture': return spec.capture ? input.capture(spec.capture) : undefined;
      default: return undefined;
    }
  }

  acquire(peer: Peer): void {
    const p = this.find(peer);
    if (p) p.active++;
  }

  release(peer: Peer): void {
    const p = this.find(peer);
    if (p && p.active > 0) p.active--;
  }

  /** Passive health accounting for one finished attempt. */
  report(peer: Peer, outcome: Outcome): void {
    const p = this.find(peer);
    if (!p) return;
    const c = this.passive;
    if (outcome.kind === 'tcp_failure') {
      p.tcpFailures++;
      if (c.tcpFailures > 0 && p.tcpFailures >= c.tcpFailures) this.markUnhealthy(p);
    } else if (outcome.kind === 'timeout') {
      p.timeouts++;
      if (c.timeouts > 0 && p.timeouts >= c.timeouts) this.markUnhealthy(p);
    } else if (c.unhealthyStatuses.has(outcome.status)) {
      p.httpFailures++;
      if (c.httpFailures > 0 && p.httpFailures >= c.httpFailures) this.markUnhealthy(p);
    } else if (c.healthyStatuses.has(outcome.status)) {
      p.successes++;
      p.tcpFailures = 0;
      p.timeouts = 0;
      p.httpFailures = 0;
    }
  }

  private markUnhealthy(p: PeerState): void {
    p.healthy = false;
    p.successes = 0;
  }

  /** Health per target, for the Admin API `/upstreams/{u}/health`. */
  health(): Array<{ target: string; weight: number; health: 'HEALTHY' | 'UNHEALTHY' }> {
    return this.peers.map((p) => ({ target: p.name, weight: p.weight, health: p.healthy ? 'HEALTHY' : 'UNHEALTHY' }));
  }

  private find(peer: Peer): PeerState | undefined {
    return this.peers.find((p) => p.name === peer.name);
  }
}
