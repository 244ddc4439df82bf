/**
 * What is used of each token budget now, for the dashboard: the live buckets of this plugin
 * (`aigw:ai-rl:{<plugin id>:<identifier>}:<provider[/model]>:<size>:<bucket start>`), read as the
 * admission reads them (sliding windows weigh the previous bucket).
 */
import type { LimitState } from '../../plugin.js';
import type { BudgetStore } from './budget-store.js';
import type { BudgetConfig } from './config.js';
import { effectiveUsage, position } from './windows.js';

/** Most buckets read per plugin. */
const SNAPSHOT_MAX = 1000;

interface Counter { subject: string; scope: string; size: number; buckets: Map<number, number> }

function parse(key: string, prefix: string): { subject: string; scope: string; size: number; start: number } | null {
  const close = key.lastIndexOf('}:');
  if (close < 0) return null;
  const subject = key.slice(prefix.length, close);
  const rest = key.slice(close + 2).split(':');
  const start = Number(rest.pop());
  const size = Number(rest.pop());
  if (!Number.isFinite(start) || !Number.isFinite(size)) return null;
  return { subject, scope: rest.join(':'), size, start };
}

function limitOf(c: BudgetConfig, scope: string, size: number): number | null {
  for (const p of c.providers) {
    if ((p.model === null ? p.name : `${p.name}/${p.model}`) !== scope) continue;
    const w = p.windows.find((x) => x.size === size);
    if (w) return w.limit;
  }
  return null;
}

/** A policy counter `aigw:ai-rl:{<ns>}:<policy>:<strategy>:<size>:<subject>:<bucket start>`. */
function parsePolicyKey(key: string, prefix: string): { policy: string; strategy: string; size: number; subject: string; start: number } | null {
  const rest = key.slice(prefix.length);
  const last = rest.lastIndexOf(':');
  const [policy, strategy, size, ...subject] = rest.slice(0, last).split(':');
  const start = Number(rest.slice(last + 1));
  if (subject.length === 0 || !Number.isFinite(start) || !Number.isFinite(Number(size))) return null;
  return { policy, strategy, size: Number(size), subject: subject.join(':'), start };
}

async function policyLimits(c: BudgetConfig, store: BudgetStore, ns: string, now: number): Promise<LimitState[]> {
  const prefix = `aigw:ai-rl:{${ns}}:`;
  const counters = new Map<string, { k: NonNullable<ReturnType<typeof parsePolicyKey>>; buckets: Map<number, number> }>();
  for (const [key, amount] of await store.snapshot(prefix, SNAPSHOT_MAX)) {
    const k = parsePolicyKey(key, prefix);
    if (!k) continue;
    const id = `${k.policy}\u0000${k.strategy}\u0000${k.size}\u0000${k.subject}`;
    const counter = counters.get(id) ?? { k, buckets: new Map() };
    counter.buckets.set(k.start, amount);
    counters.set(id, counter);
  }
  const out: LimitState[] = [];
  for (const { k, buckets } of counters.values()) {
    const policy = (c.policies ?? []).find((p) => p.name === k.policy);
    const limit = policy?.limits.find((l) => l.size === k.size && l.strategy === k.strategy);
    if (!policy || !limit) continue;
    const pos = position(k.size, now, policy.windowType);
    const used = effectiveUsage(buckets.get(pos.start) ?? 0, buckets.get(pos.prevStart) ?? 0, pos.prevWeight);
    if (used <= 0 && !buckets.has(pos.start)) continue;
    out.push({ subject: k.subject, window: `${k.size} s ${k.policy}`, unit: k.strategy === 'cost' ? 'cost' : 'tokens', limit: limit.limit, used: Math.max(0, used), resetSeconds: pos.reset });
  }
  return out;
}

export async function budgetLimits(c: BudgetConfig, store: BudgetStore, pluginId: string, now: number): Promise<LimitState[]> {
  if (c.policies) return policyLimits(c, store, pluginId, now);
  const prefix = `aigw:ai-rl:{${pluginId}:`;
  const counters = new Map<string, Counter>();
  for (const [key, amount] of await store.snapshot(prefix, SNAPSHOT_MAX)) {
    const k = parse(key, prefix);
    if (!k) continue;
    const id = `${k.subject}\u0000${k.scope}\u0000${k.size}`;
    const counter = counters.get(id) ?? { subject: k.subject, scope: k.scope, size: k.size, buckets: new Map() };
    counter.buckets.set(k.start, amount);
    counters.set(id, counter);
  }
  const unit = c.countStrategy === 'cost' ? 'cost' : 'tokens';
  const out: LimitState[] = [];
  for (const x of counters.values()) {
    const limit = limitOf(c, x.scope, x.size);
    if (limit === null) continue;
    const pos = position(x.size, now, c.windowType);
    const used = effectiveUsage(x.buckets.get(pos.start) ?? 0, x.buckets.get(pos.prevStart) ?? 0, pos.prevWeight);
    if (used <= 0 && !x.buckets.has(pos.start)) continue;
    out.push({ subject: x.subject, window: `${x.size} s ${x.scope}`, unit, limit, used: Math.max(0, used), resetSeconds: pos.reset });
  }
  return out;
}
