/**
 * Rendering of a plan (and of a sync's outcome) as decK-style text or decK's JSON report.
 *
 *   creating service svc1
 *   updating route r1
 *     - paths[0]: "/a"
 *     + paths[0]: "/b"
 *   updating plugin ai-prompt-decorator for route r1
 *     ~ config.prompts.prepend[0].content: "Always answer [-politely-]{+briefly+} and concisely"
 *   deleting plugin rate-limiting (global)
 *   Summary:
 *     Created: 1
 *     Updated: 2
 *     Deleted: 1
 *
 * Every entity body passes through the masker first, old values included; the field lines come
 * from value-diff.ts (objects by path, arrays element by element, word and line diffs).
 */
import { KIND_BY_NAME, type KindName } from '../config/kinds.js';
import { refId, type Entity, type State } from '../config/state.js';
import type { ApplyResult } from './apply.js';
import { displayName, label, type Lookup } from './identity.js';
import type { Op } from './plan.js';
import { envMasker, maskEntity, maskOldLikeNew, type MaskOptions } from './secrets.js';
import type { DiffLine } from './text-diff.js';
import { NOTHING, valueDiff, type Side } from './value-diff.js';

export interface Paint {
  create(text: string): string;
  update(text: string): string;
  delete(text: string): string;
  dim(text: string): string;
  /**
   * Changed words inside a line. On a terminal, colours; when absent, plain-text marks in the
   * style of `git diff --word-diff=plain`: `[-removed-]{+added+}`.
   */
  removedWords?(text: string): string;
  addedWords?(text: string): string;
}

export const NO_PAINT: Paint = { create: (t) => t, update: (t) => t, delete: (t) => t, dim: (t) => t };

export const plainRemoved = (t: string): string => `[-${t}-]`;
export const plainAdded = (t: string): string => `{+${t}+}`;

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

/** `creating service svc1`, `updating plugin rate-limiting for route r1`… */
export function opHeadline(op: Op, lookup: Lookup, options: MaskOptions): string {
  return `${VERB[op.action]} ${KIND_BY_NAME[op.kind].singular} ${opName(op, lookup, options)}`;
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

function side(kind: KindName, e: Entity, lookup: Lookup, options: MaskOptions): Side {
  return { raw: displayBody(kind, e, lookup, options, false), shown: displayBody(kind, e, lookup, options, true) };
}

/**
 * The field lines of one op: what changes for an update; with `bodies`, also the whole body of
 * a create (`+` lines) or a delete (`-` lines). Secrets masked, old values included.
 */
export function opLines(op: Op, lookup: Lookup, options: MaskOptions, bodies = false): DiffLine[] {
  if (op.action === 'update') {
    const before = side(op.kind, op.before, lookup, options);
    const after = side(op.kind, op.after, lookup, options);
    return valueDiff({ raw: before.raw, shown: maskOldLikeNew(before.shown, after.raw, after.shown) }, after);
  }
  if (!bodies) return [];
  const body = side(op.kind, opEntity(op), lookup, options);
  return op.action === 'create' ? valueDiff(NOTHING, body) : valueDiff(body, NOTHING);
}

export interface LineStyle {
  paint: Paint;
  /** The sign of a change in place: `~` in text, `!` in Markdown diff blocks. */
  changedSign: string;
  /** Sign in column 0 and the indentation after it (diff blocks colour a line by its first character). */
  signFirst: boolean;
}

export const TEXT_STYLE: LineStyle = { paint: NO_PAINT, changedSign: '~', signFirst: false };

/** One diff line as text. */
export function formatLine(line: DiffLine, style: LineStyle): string {
  const { paint } = style;
  const removed = paint.removedWords ?? plainRemoved;
  const added = paint.addedWords ?? plainAdded;
  const body = line.segs.map((s) => (s.op === 'same' ? s.text : s.op === 'del' ? removed(s.text) : added(s.text))).join('');
  const sign = line.sign === '~' ? style.changedSign : line.sign;
  const text = style.signFirst ? `${sign} ${'  '.repeat(line.depth - 1)}${body}` : `${'  '.repeat(line.depth)}${sign} ${body}`;
  const colour = { '-': paint.delete, '+': paint.create, '~': paint.update, ' ': paint.dim }[line.sign];
  return colour(text.trimEnd());
}

/** The text lines of one op (with the field-level diff of an update). */
export function renderOp(op: Op, lookup: Lookup, options: RenderOptions): string[] {
  const paint = options.paint ?? NO_PAINT;
  const style: LineStyle = { ...TEXT_STYLE, paint };
  return [paint[op.action](opHeadline(op, lookup, options)), ...opLines(op, lookup, options).map((l) => formatLine(l, style))];
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
  const after = body(op.action === 'delete' ? null : op.after);
  let before = body(op.action === 'create' ? null : op.before);
  if (op.action === 'update' && !options.show) before = maskOldLikeNew(before, { ...op.after }, after) as Record<string, unknown>;
  return { name: opName(op, lookup, options), kind: KIND_BY_NAME[op.kind].singular, body: { new: after, old: before } };
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
  const text = `${opHeadline(op, lookup, options)} failed: ${error.message}`;
  return options.show ? text : envMasker(options.envValues ?? [])(text);
}

export function droppedLine(op: Op, reason: string, lookup: Lookup, options: MaskOptions): string {
  const verb = { create: 'creation', update: 'update', delete: 'deletion' }[op.action];
  return `Dropped ${verb} of ${KIND_BY_NAME[op.kind].singular} ${opName(op, lookup, options)}: ${reason}`;
}
