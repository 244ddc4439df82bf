/**
 * How the result of applying a plan is told: the done ops as decK prints them, then every failure
 * and dropped op on stderr, and — when the target went away mid-run — one line saying so instead
 * of a failure line per op that could not reach it.
 */
import type { Io } from '../../cli/io.js';
import type { ApplyResult, Failure } from '../../diff/apply.js';
import type { Lookup } from '../../diff/identity.js';
import type { Op } from '../../diff/plan.js';
import { droppedLine, failureLine, renderOp, renderSummary } from '../../diff/render.js';
import type { MaskOptions } from '../../diff/secrets.js';
import { paintFor } from './plan.js';

/** Failures worth a line of their own (a halt summarises the connection failures). */
export function reportedFailures(result: ApplyResult, isConnectionFailure: (e: Error) => boolean): Failure[] {
  return result.halted === undefined ? [...result.failed] : result.failed.filter((f) => !isConnectionFailure(f.error));
}

/** The one line printed when the run stopped because the target could not be reached. */
export function haltLine(result: ApplyResult, total: number, target: string, verb: string): string | null {
  const h = result.halted;
  if (h === undefined) return null;
  return (
    `${verb} stopped: ${target} stopped answering (${h.error.message}) — ${h.failures} consecutive changes could not reach it. ` +
    `${result.done.length} of ${total} changes done, ${result.failed.length} failed, ${h.notAttempted.length} not attempted. ` +
    `Run ${verb} again once it is reachable: it continues from what is there.`
  );
}

export interface PrintOptions {
  lookup: Lookup;
  mask: MaskOptions;
  isConnectionFailure: (e: Error) => boolean;
  /** `the Admin API at http://…`, `Konnect control plane 'x'`. */
  target: string;
  verb: string;
}

/** Done ops and the summary on stdout; failures, dropped ops and a halt on stderr. */
export function printOutcome(io: Io, ops: readonly Op[], result: ApplyResult, o: PrintOptions): void {
  const done = new Set(result.done);
  const paint = paintFor(io);
  const lines: string[] = [];
  for (const op of ops) if (done.has(op)) lines.push(...renderOp(op, o.lookup, { ...o.mask, paint }));
  const counts = { creating: 0, updating: 0, deleting: 0 };
  for (const op of result.done) counts[op.action === 'create' ? 'creating' : op.action === 'update' ? 'updating' : 'deleting']++;
  io.out([...lines, ...renderSummary(counts)].join('\n'));
  for (const f of reportedFailures(result, o.isConnectionFailure)) io.err(io.c.red(`error: ${failureLine(f.op, f.error, o.lookup, o.mask)}`));
  for (const d of result.dropped) io.err(io.c.red(droppedLine(d.op, d.reason, o.lookup, o.mask)));
  const halt = haltLine(result, ops.length, o.target, o.verb);
  if (halt !== null) io.err(io.c.red(`error: AIGW_CONNECT: ${halt}`));
  else if (result.failed.length + result.dropped.length > 0) {
    io.err(io.c.red(`${o.verb} incomplete: ${result.failed.length} failed, ${result.dropped.length} dropped; fix the cause and run ${o.verb} again`));
  }
}
