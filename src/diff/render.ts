/**
 * Rendering of a plan (and of a sync's outcome) as decK-style text or decK's JSON report.
 *
 *   creating service svc1
 *   updating route r1
 *     - paths: ["/a"]
 *     + paths: ["/b"]
 *   deleting plugin rate-limiting (global)
 *   Summary:
 *     Created: 1
 *     Updated: 1
 *     Deleted: 1
 *
 * Every entity body passes through the masker first, old values included.
 */
import { KIND_BY_NAME, type KindName } from '../config/kinds.js';
import { refId, type Entity, type State } from '../config/state.js';
import type { ApplyResult } from './apply.js';
import { displayName, label, type Lookup } from './identity.js';
import type { Op } from './plan.js';
import { envMasker, maskEntity, type MaskOptions } from './secrets.js';

export interface Paint {
  create(text: string): string;
  update(text: string): string;
  delete(text: string): string;
  dim(text: string): string;
}

export const NO_PAINT: Paint = { create: (t) => t, update: (t) => t, delete: (t) => t, dim: (t) => t };

export interface RenderOptions extends MaskOptions {
  paint?: Paint;
}

/** Lookups by id across the before and after states, for naming what foreign keys point at. */
export function lookupIn(...states: State[]): Lookup {
  const maps = states.map((s) => new Map<string, Entity>(Object.values(s.entities).flatMap((list) => list.map((e) => [e.id, e] as const))));
  return (_kind, id) => {
    for (const m of maps) {
      const e = m.get(id);
      if (e !== undefined) return e;
    }
    return undefined;
  };
}

const VERB = { create: 'creating', update: 'updating', delete: 'deleting' } as const;

export function opEntity(op: Op): Entity {
  return op.action === 'delete' ? op.before : op.after;
}

export function opName(op: Op, lookup: Lookup, options: MaskOptions): string {
  return displayName(op.kind, opEntity(op), lookup, options.show ?? false);
}

/** Leaf-level differences between two masked bodies: `[path, old, new]`. */
export function fieldChanges(before: unknown, after: unknown, path = ''): Array<[string, unknown, unknown]> {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => fieldChanges(before[k], after[k], path === '' ? k : `${path}.${k}`));
  }
  const norm = (v: unknown) => JSON.stringify(v ?? null);
  return norm(before) === norm(after) ? [] : [[path, before ?? null, after ?? null]];
}

/** The body compared for display: no id or ignored fields; foreign keys shown by name. */
function displayBody(kind: KindName, e: Entity, lookup: Lookup, options: MaskOptions, masked: boolean): Record<string, unknown> {
  const def = KIND_BY_NAME[kind];
  const body = masked ? maskEntity(kind, e, options) : { ...e };
  for (const f of ['id', ...def.ignore]) delete body[f];
  for (const fk of def.foreignKeys) {
    const id = refId(body[fk.field]);
    if (id === null) continue;
    const target = lookup(fk.kind, id);
    body[fk.field] = target === undefined ? id : label(KIND_BY_NAME[fk.kind], target, options.show ?? false);
  }
  return body;
}

function valueAt(body: unknown, path: string): unknown {
  let cur = body;
  for (const seg of path === '' ? [] : path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return null;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur ?? null;
}

/** The text lines of one op (with the field-level diff of an update). */
export function renderOp(op: Op, lookup: Lookup, options: RenderOptions): string[] {
  const paint = options.paint ?? NO_PAINT;
  const head = `${VERB[op.action]} ${KIND_BY_NAME[op.kind].singular} ${opName(op, lookup, options)}`;
  const lines = [paint[op.action](head)];
  if (op.action === 'update') {
    const rawChanges = fieldChanges(displayBody(op.kind, op.before, lookup, options, false), displayBody(op.kind, op.after, lookup, options, false));
    const before = displayBody(op.kind, op.before, lookup, options, true);
    const after = displayBody(op.kind, op.after, lookup, options, true);
    for (const [path] of rawChanges) {
      const oldV = valueAt(before, path);
      const newV = valueAt(after, path);
      // masking can make a changed secret look unchanged: still say it changed
      if (JSON.stringify(oldV) === JSON.stringify(newV)) lines.push(paint.update(`  ~ ${path}: ${JSON.stringify(newV)} (secret changed)`));
      else lines.push(paint.delete(`  - ${path}: ${JSON.stringify(oldV)}`), paint.create(`  + ${path}: ${JSON.stringify(newV)}`));
    }
  }
  return lines;
}

export function renderSummary(counts: { creating: number; updating: number; deleting: number }): string[] {
  return ['Summary:', `  Created: ${counts.creating}`, `  Updated: ${counts.updating}`, `  Deleted: ${counts.deleting}`];
}

/** Text of a whole plan, in execution order, with the summary block. */
export function renderText(ops: readonly Op[], lookup: Lookup, options: RenderOptions): string {
  const lines = ops.flatMap((op) => renderOp(op, lookup, options));
  const counts = { creating: 0, updating: 0, deleting: 0 };
  for (const op of ops) counts[VERB[op.action] as keyof typeof counts]++;
  return [...lines, ...renderSummary(counts)].join('\n') + '\n';
}

export interface ReportEntry {
  name: string;
  kind: string;
  body: { new: Record<string, unknown> | null; old: Record<string, unknown> | null };
}

export interface Report {
  changes: {
    creating: ReportEntry[];
    updating: ReportEntry[];
    deleting: ReportEntry[];
    dropped_creations?: ReportEntry[];
    dropped_updates?: ReportEntry[];
    dropped_deletions?: ReportEntry[];
  };
  summary: { creating: number; updating: number; deleting: number; total: number };
  warnings: string[];
  errors: string[];
}

function entry(op: Op, lookup: Lookup, options: MaskOptions): ReportEntry {
  const body = (e: Entity | null) => (e === null ? null : maskEntity(op.kind, e, options));
  return {
    name: opName(op, lookup, options),
    kind: KIND_BY_NAME[op.kind].singular,
    body: {
      new: body(op.action === 'delete' ? null : op.after),
      old: body(op.action === 'create' ? null : op.before),
    },
  };
}

const BUCKET = { create: 'creating', update: 'updating', delete: 'deleting' } as const;
const DROPPED = { create: 'dropped_creations', update: 'dropped_updates', delete: 'dropped_deletions' } as const;

/**
 * decK's JSON report. For a diff, pass the planned ops; for a sync, pass the ops that were done
 * plus the apply result (failed ops go to `errors`, dropped ones to `dropped_*`).
 */
export function renderReport(ops: readonly Op[], lookup: Lookup, options: MaskOptions, result?: ApplyResult, extra: { warnings?: string[]; errors?: string[] } = {}): Report {
  const report: Report = {
    changes: { creating: [], updating: [], deleting: [] },
    summary: { creating: 0, updating: 0, deleting: 0, total: 0 },
    warnings: [...(extra.warnings ?? [])],
    errors: [...(extra.errors ?? [])],
  };
  for (const op of ops) {
    report.changes[BUCKET[op.action]].push(entry(op, lookup, options));
    report.summary[BUCKET[op.action]]++;
    report.summary.total++;
  }
  if (result !== undefined) {
    for (const f of result.failed) report.errors.push(failureLine(f.op, f.error, lookup, options));
    for (const d of result.dropped) (report.changes[DROPPED[d.op.action]] ??= []).push(entry(d.op, lookup, options));
  }
  return report;
}

export function failureLine(op: Op, error: Error, lookup: Lookup, options: MaskOptions): string {
  const text = `${VERB[op.action]} ${KIND_BY_NAME[op.kind].singular} ${opName(op, lookup, options)} failed: ${error.message}`;
  return options.show ? text : envMasker(options.envValues ?? [])(text);
}

export function droppedLine(op: Op, reason: string, lookup: Lookup, options: MaskOptions): string {
  const verb = { create: 'creation', update: 'update', delete: 'deletion' }[op.action];
  return `Dropped ${verb} of ${KIND_BY_NAME[op.kind].singular} ${opName(op, lookup, options)}: ${reason}`;
}
