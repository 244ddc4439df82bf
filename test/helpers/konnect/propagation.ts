/**
 * Config propagation to simulated data planes.
 *
 * `GET /v2/control-planes/{id}/expected-config-hash` → `{expected_hash, created_at, updated_at}` and
 * `GET …/nodes?page[size]&page[after]` → `{items:[{id, version, hostname, last_ping, type, created_at,
 * updated_at, config_hash, compatibility_status:{state}}], page:{total_count, next}}`, `GET …/nodes/{id}` →
 * `{item}` (control-planes-config/v2 openapi GetExpectedConfigHashResponse, list-nodes, get-node).
 * The hash is 32 hex characters (koko "expected config hash to be 32 character long") and changes on every
 * write that changes the configuration; each data plane adopts a hash `delayMs` after it was produced, so
 * one node can be made to lag, or never catch up (`Infinity`). `type` and the compatibility `state` value
 * are inferred. `page.next` is the opaque cursor to pass back as `page[after]` (the spec only says string).
 */
import { createHash, randomUUID } from 'node:crypto';
import { clientError, type JsonObject } from './wire.js';

export interface DataPlaneOptions {
  hostname: string;
  version?: string;
  /** How long after a change this node reports the new hash (ms); Infinity = never. */
  delayMs?: number;
}

interface Node {
  id: string;
  hostname: string;
  version: string;
  delayMs: number;
  createdAt: number;
}

const secs = (ms: number): number => Math.floor(ms / 1000);

export class Propagation {
  private readonly history: Array<{ hash: string; at: number }>;
  private readonly nodes: Node[];
  private version = 0;
  private readonly createdAt: number;

  constructor(
    private readonly cpId: string,
    dataPlanes: DataPlaneOptions[],
    private readonly now: () => number = Date.now,
  ) {
    this.createdAt = now();
    this.history = [{ hash: this.hashOf(0), at: this.createdAt }];
    this.nodes = dataPlanes.map((d) => ({
      id: randomUUID(),
      hostname: d.hostname,
      version: d.version ?? '3.14.0.0',
      delayMs: d.delayMs ?? 0,
      createdAt: this.createdAt,
    }));
  }

  private hashOf(version: number): string {
    return createHash('md5').update(`${this.cpId}:${version}`).digest('hex');
  }

  /** A write changed the configuration. */
  bump(): void {
    this.version++;
    this.history.push({ hash: this.hashOf(this.version), at: this.now() });
    if (this.history.length > 2000) this.history.splice(1, this.history.length - 1001); // keep the first (what a stuck node has)
  }

  get expectedHash(): string {
    return (this.history[this.history.length - 1] as { hash: string }).hash;
  }

  expected(): JsonObject {
    const last = this.history[this.history.length - 1] as { at: number };
    return { expected_hash: this.expectedHash, created_at: secs(this.createdAt), updated_at: secs(last.at) };
  }

  setDelay(hostname: string, delayMs: number): void {
    const node = this.nodes.find((n) => n.hostname === hostname);
    if (!node) throw new Error(`no data plane ${hostname}`);
    node.delayMs = delayMs;
  }

  private hashSeenBy(node: Node): string {
    const t = this.now();
    let hash = (this.history[0] as { hash: string }).hash;
    for (const h of this.history) if (h.at + node.delayMs <= t) hash = h.hash;
    return hash;
  }

  private item(node: Node): JsonObject {
    const t = secs(this.now());
    return {
      id: node.id,
      version: node.version,
      hostname: node.hostname,
      last_ping: t,
      type: 'kong-proxy',
      created_at: secs(node.createdAt),
      updated_at: t,
      config_hash: this.hashSeenBy(node),
      compatibility_status: { state: 'COMPATIBILITY_STATE_FULLY_COMPATIBLE' },
    };
  }

  list(size: number, after: string | undefined): JsonObject {
    const start = after ? Number.parseInt(Buffer.from(after, 'base64url').toString('utf8'), 10) : 0;
    if (!Number.isInteger(start) || start < 0) throw clientError(`invalid page[after] '${after}'`);
    const page = this.nodes.slice(start, start + size);
    const end = start + page.length;
    const next = end < this.nodes.length ? Buffer.from(String(end)).toString('base64url') : null;
    return { items: page.map((n) => this.item(n)), page: { total_count: this.nodes.length, next } };
  }

  get(id: string): JsonObject | undefined {
    const node = this.nodes.find((n) => n.id === id);
    return node ? { item: this.item(node) } : undefined;
  }
}
