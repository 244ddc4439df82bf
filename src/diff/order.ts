/**
 * Dependency order of a plan: parents are created and updated before their children, children
 * are deleted before their parents. Each stage may run in parallel; stages run one after another.
 *
 *   level 1  certificates, ca_certificates, vaults, consumers
 *   level 2  consumer_groups, services, upstreams, snis, credentials
 *   level 3  routes, targets, consumer_group memberships
 *   level 4  plugins
 *
 *            create/update                      delete
 *   stage 1  ── L1 ──┐                 ┌──► stage 5  ── L4 ──
 *   stage 2  ── L2 ──┤  then           │    stage 6  ── L3 ──
 *   stage 3  ── L3 ──┤ ───────────────►┘    stage 7  ── L2 ──
 *   stage 4  ── L4 ──┘                      stage 8  ── L1 ──
 *
 * Within a stage, ops are sorted by kind (table order), then by id, so the order is deterministic.
 */
import { KINDS, KIND_BY_NAME } from '../config/kinds.js';
import type { Op } from './plan.js';

export interface Stage {
  readonly level: number;
  readonly phase: 'upsert' | 'delete';
  readonly ops: readonly Op[];
}

const KIND_INDEX = new Map(KINDS.map((k, i) => [k.name, i]));

function opId(op: Op): string {
  return op.action === 'delete' ? op.before.id : op.after.id;
}

function byKindThenId(a: Op, b: Op): number {
  const k = (KIND_INDEX.get(a.kind) ?? 0) - (KIND_INDEX.get(b.kind) ?? 0);
  if (k !== 0) return k;
  const ia = opId(a);
  const ib = opId(b);
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** Group ops into stages; empty stages are left out. */
export function order(ops: readonly Op[]): Stage[] {
  const levels = [...new Set(KINDS.map((k) => k.level))].sort((a, b) => a - b);
  const stages: Stage[] = [];
  for (const level of levels) {
    const batch = ops.filter((op) => op.action !== 'delete' && KIND_BY_NAME[op.kind].level === level).sort(byKindThenId);
    if (batch.length > 0) stages.push({ level, phase: 'upsert', ops: batch });
  }
  for (const level of [...levels].reverse()) {
    const batch = ops.filter((op) => op.action === 'delete' && KIND_BY_NAME[op.kind].level === level).sort(byKindThenId);
    if (batch.length > 0) stages.push({ level, phase: 'delete', ops: batch });
  }
  return stages;
}
