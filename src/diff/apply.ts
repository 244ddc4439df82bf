/**
 * Runs ordered stages against an executor with bounded parallelism. A failure never stops
 * unrelated work and is never hidden: every failed op is collected with its error, and every op
 * that can no longer be done safely is reported as dropped with the reason:
 * - an upsert whose foreign key points at an entity whose creation failed or was dropped;
 * - a delete of an entity that something still references because its own update or delete failed.
 */
import { KIND_BY_NAME } from '../config/kinds.js';
import { refId, type Entity } from '../config/state.js';
import type { Stage } from './order.js';
import type { Op } from './plan.js';

export interface Executor {
  run(op: Op): Promise<void>;
}

export interface Failure {
  readonly op: Op;
  readonly error: Error;
}

export interface Dropped {
  readonly op: Op;
  readonly reason: string;
}

/** Why the run stopped before the end, and what it never tried. */
export interface Halt {
  /** The last connection failure. */
  readonly error: Error;
  /** How many consecutive ops failed that way. */
  readonly failures: number;
  readonly notAttempted: readonly Op[];
}

export interface ApplyResult {
  readonly done: readonly Op[];
  readonly failed: readonly Failure[];
  readonly dropped: readonly Dropped[];
  /** Set when the target stopped answering and the run was cut short. */
  readonly halted?: Halt;
}

export interface ApplyOptions {
  parallelism: number;
  /** Called after each op settles (for progress). */
  onSettled?: (op: Op, outcome: 'done' | 'failed' | 'dropped') => void;
  /**
   * Whether an op failed because the target could not be reached at all (its own retries
   * exhausted). After `maxConnectionFailures` such failures in a row, with no answer from the
   * target in between, no further op is started.
   */
  isConnectionFailure?: (err: Error) => boolean;
  /** Default 3. */
  maxConnectionFailures?: number;
  /** Pause between stages (decK's `--db-update-propagation-delay`). */
  stageDelayMs?: number;
}

function fkIds(op: Op, e: Entity): string[] {
  const out: string[] = [];
  for (const fk of KIND_BY_NAME[op.kind].foreignKeys) {
    const id = refId(e[fk.field]);
    if (id !== null) out.push(id);
  }
  return out;
}

class Tracker {
  /** Entities that were meant to be created but do not exist. */
  readonly missing = new Set<string>();
  /** Entities that must not be deleted: something may still reference them. */
  readonly pinned = new Set<string>();

  blocker(op: Op): string | null {
    if (op.action === 'delete') return this.pinned.has(op.before.id) ? 'an entity that refers to it could not be changed or deleted' : null;
    const dep = fkIds(op, op.after).find((id) => this.missing.has(id));
    return dep === undefined ? null : `depends on ${dep}, which was not created`;
  }

  /** Record that `op` did not happen. */
  notDone(op: Op): void {
    if (op.action === 'create') this.missing.add(op.after.id);
    else if (op.action === 'update') for (const id of fkIds(op, op.before)) this.pinned.add(id);
    else {
      this.pinned.add(op.before.id);
      for (const id of fkIds(op, op.before)) this.pinned.add(id);
    }
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Counts consecutive connection failures; trips once the target is gone. */
class Breaker {
  private streak = 0;
  tripped: Error | null = null;

  constructor(
    private readonly isConnectionFailure: (err: Error) => boolean,
    private readonly max: number,
  ) {}

  answered(): void {
    this.streak = 0;
  }

  failed(err: Error): void {
    if (!this.isConnectionFailure(err)) return this.answered();
    this.streak++;
    if (this.streak >= this.max) this.tripped = err;
  }

  get failures(): number {
    return this.streak;
  }
}

/**
 * Apply every stage in order. Resolves (never rejects) with what was done, failed and dropped,
 * and, when the target went away, what was never attempted.
 */
export async function apply(stages: readonly Stage[], executor: Executor, options: ApplyOptions): Promise<ApplyResult> {
  const parallelism = Math.max(1, Math.floor(options.parallelism));
  const done: Op[] = [];
  const failed: Failure[] = [];
  const dropped: Dropped[] = [];
  const tracker = new Tracker();
  const breaker = new Breaker(options.isConnectionFailure ?? (() => false), Math.max(1, options.maxConnectionFailures ?? 3));
  for (const [i, stage] of stages.entries()) {
    if (i > 0 && (options.stageDelayMs ?? 0) > 0) await new Promise((r) => setTimeout(r, options.stageDelayMs));
    let next = 0;
    const worker = async () => {
      while (next < stage.ops.length && breaker.tripped === null) {
        const op = stage.ops[next++];
        const reason = tracker.blocker(op);
        if (reason !== null) {
          tracker.notDone(op);
          dropped.push({ op, reason });
          options.onSettled?.(op, 'dropped');
          continue;
        }
        try {
          await executor.run(op);
          breaker.answered();
          done.push(op);
          options.onSettled?.(op, 'done');
        } catch (err) {
          const error = toError(err);
          breaker.failed(error);
          tracker.notDone(op);
          failed.push({ op, error });
          options.onSettled?.(op, 'failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallelism, stage.ops.length) }, worker));
    if (breaker.tripped !== null) break;
  }
  if (breaker.tripped === null) return { done, failed, dropped };
  return { done, failed, dropped, halted: { error: breaker.tripped, failures: breaker.failures, notAttempted: untouched(stages, done, failed, dropped) } };
}

/** Ops of the stages that neither ran nor were dropped. */
function untouched(stages: readonly Stage[], done: readonly Op[], failed: readonly Failure[], dropped: readonly Dropped[]): Op[] {
  const seen = new Set<Op>([...done, ...failed.map((f) => f.op), ...dropped.map((d) => d.op)]);
  return stages.flatMap((s) => s.ops).filter((op) => !seen.has(op));
}
