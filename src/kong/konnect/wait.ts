/**
 * `sync --wait`: wait until the control plane's data planes run the configuration just written.
 *
 *   GET {addr}/v2/control-planes/{cp}/expected-config-hash → {expected_hash}
 *   GET {addr}/v2/control-planes/{cp}/nodes?page[size]=100[&page[after]=…] → {items:[{hostname, version,
 *       config_hash, last_ping}], page:{next}}          (control-planes-config/v2 openapi)
 *
 * Every round re-reads the expected hash (another writer may have synced since) and lists the nodes;
 * nodes that have not pinged for `staleAfterMs` are dead records and do not block. Backoff 1 s → 5 s.
 */
import type { AdminClient } from '../client.js';

export interface NodeStatus {
  hostname: string;
  version: string;
  configHash: string;
  /** Seconds since the node's last ping. */
  lastPingAgeS: number;
}

export interface WaitResult {
  converged: boolean;
  expectedHash: string;
  nodes: NodeStatus[];
  /** Live nodes not (yet) on the expected hash. */
  laggards: NodeStatus[];
  /** Nodes left out because they have not pinged for a long time. */
  stale: NodeStatus[];
  waitedMs: number;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Default 2 × the 30 s data-plane ping interval. */
  staleAfterMs?: number;
  pollMs?: number;
  maxPollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

async function listNodes(platform: AdminClient, cpId: string, nowS: number): Promise<NodeStatus[]> {
  const out: NodeStatus[] = [];
  let after: string | null = null;
  do {
    const q = new URLSearchParams({ 'page[size]': '100' });
    if (after !== null) q.set('page[after]', after);
    const body = await platform.get(`/v2/control-planes/${encodeURIComponent(cpId)}/nodes?${q.toString()}`);
    const items = isObj(body) && Array.isArray(body.items) ? body.items.filter(isObj) : [];
    for (const n of items) {
      const ping = typeof n.last_ping === 'number' ? n.last_ping : 0;
      out.push({ hostname: str(n.hostname), version: str(n.version), configHash: str(n.config_hash), lastPingAgeS: Math.max(0, nowS - ping) });
    }
    const next = isObj(body) && isObj(body.page) && typeof body.page.next === 'string' && body.page.next !== '' ? body.page.next : null;
    // the spec types `next` as a string: a cursor for page[after], or (if it ever is) a URL carrying one
    after = next === null ? null : next.includes('page%5Bafter%5D=') || next.includes('page[after]=') ? new URL(next, 'http://x').searchParams.get('page[after]') : next;
  } while (after !== null);
  return out;
}

export async function waitForDataPlanes(platform: AdminClient, cpId: string, opts: WaitOptions): Promise<WaitResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const staleS = (opts.staleAfterMs ?? 60_000) / 1000;
  const start = now();
  let poll = opts.pollMs ?? 1000;
  for (;;) {
    const hashBody = await platform.get(`/v2/control-planes/${encodeURIComponent(cpId)}/expected-config-hash`);
    const expectedHash = isObj(hashBody) ? str(hashBody.expected_hash) : '';
    const nodes = await listNodes(platform, cpId, Math.floor(now() / 1000));
    const live = nodes.filter((n) => n.lastPingAgeS <= staleS);
    const stale = nodes.filter((n) => n.lastPingAgeS > staleS);
    const laggards = live.filter((n) => n.configHash !== expectedHash);
    const waitedMs = now() - start;
    if (laggards.length === 0 || waitedMs >= opts.timeoutMs) return { converged: laggards.length === 0, expectedHash, nodes, laggards, stale, waitedMs };
    await sleep(Math.min(poll, Math.max(1, opts.timeoutMs - waitedMs)));
    poll = Math.min(opts.maxPollMs ?? 5000, poll * 2);
  }
}
