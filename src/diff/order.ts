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
 * One exception runs first: a delete of an entity holding a unique key (a consumer's custom_id, a
 * plugin's instance_name…) that an upsert of the same kind is about to take ("clear" stages,
 * children first). Otherwise the upsert would meet a unique-constraint error.
 *
 * Within a stage, ops are sorted by kind (table order), then by id, so the order is deterministic.
 */
import { KINDS, KIND_BY_NAME } from '../config/kinds.js';
import { matchKeys } from './identity.js';
import type { Op } from './plan.js';

export interface Stage {
  readonly level: number;
  readonly phase: 'clear' | 'upsert' | 'delete';
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

/** Deletes whose entity holds a unique key that an upsert of the same kind takes. */
function clearing(ops: readonly Op[]): Set<Op> {
  const claimed = new Set<string>();
  for (const op of ops) if (op.action !== 'delete') for (const k of matchKeys(KIND_BY_NAME[op.kind], op.after)) claimed.add(`${op.kind}\0${k}`);
  const out = new Set<Op>();
  for (const op of ops) {
    if (op.action === 'delete' && matchKeys(KIND_BY_NAME[op.kind], op.before).some((k) => claimed.has(`${op.kind}\0${k}`))) out.add(op);
  }
  return out;
}

/** Group ops into stages; empty stages are left out. */
export function order(all: readonly Op[]): Stage[] {
  const levels = [...new Set(KINDS.map((k) => k.level))].sort((a, b) => a - b);
  const stages: Stage[] = [];
  const early = clearing(all);
  for (const level of [...levels].reverse()) {
    const batch = [...early].filter((op) => KIND_BY_NAME[op.kind].level === level).sort(byKindThenId);
    if (batch.length > 0) stages.push({ level, phase: 'clear', ops: batch });
  }
  const ops = early.size === 0 ? all : all.filter((op) => !early.has(op));
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
