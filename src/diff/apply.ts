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

export interface ApplyResult {
  readonly done: readonly Op[];
  readonly failed: readonly Failure[];
  readonly dropped: readonly Dropped[];
}

export interface ApplyOptions {
  parallelism: number;
  /** Called after each op settles (for progress). */
  onSettled?: (op: Op, outcome: 'done' | 'failed' | 'dropped') => void;
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

/** Apply every stage in order. Resolves (never rejects) with what was done, failed and dropped. */
export async function apply(stages: readonly Stage[], executor: Executor, options: ApplyOptions): Promise<ApplyResult> {
  const parallelism = Math.max(1, Math.floor(options.parallelism));
  const done: Op[] = [];
  const failed: Failure[] = [];
  const dropped: Dropped[] = [];
  const tracker = new Tracker();
  for (const stage of stages) {
    let next = 0;
    const worker = async () => {
      while (next < stage.ops.length) {
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
          done.push(op);
          options.onSettled?.(op, 'done');
        } catch (err) {
          tracker.notDone(op);
          failed.push({ op, error: toError(err) });
          options.onSettled?.(op, 'failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallelism, stage.ops.length) }, worker));
  }
  return { done, failed, dropped };
}
