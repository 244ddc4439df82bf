/**
 * Running a plan against the target (sync, apply, reset): bounded parallelism, progress on stderr,
 * a stop after consecutive connection failures, then the outcome printed — failures a target refused
 * pointed at their `file:line:col`, and with `--wait`, the data planes' convergence (Konnect).
 */
import type { Io } from '../../cli/io.js';
import type { EntitySources } from '../../config/index.js';
import { AigwError } from '../../errors.js';
import { apply, type ApplyResult } from '../../diff/apply.js';
import { order } from '../../diff/order.js';
import type { Op } from '../../diff/plan.js';
import { KIND_BY_NAME } from '../../config/kinds.js';
import { opName } from '../../diff/render.js';
import { AdminApiError } from '../../kong/client.js';
import { adminExecutor } from '../../kong/executor.js';
import { errorIssues } from './error-positions.js';
import { printIssues, type Planned } from './plan.js';
import { KONNECT_PARALLELISM, type Target } from './target.js';

/** A failure that never reached the target (its retries exhausted): counts towards stopping. */
export const unreachable = (e: Error): boolean => e instanceof AdminApiError && e.status === 0;

/** `--parallelism`: decK's 10 against Kong; against Konnect 4 unless given. */
export function parallelismFor(opts: Record<string, unknown>, target: Target): number {
  const raw = opts.parallelism ?? (target.konnect !== null ? KONNECT_PARALLELISM : 10);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new AigwError('AIGW_USAGE', '--parallelism must be an integer ≥ 1');
  return n;
}

/** `--db-update-propagation-delay` seconds between dependency levels. */
function stageDelayMs(opts: Record<string, unknown>): number {
  const n = Number(opts.dbUpdatePropagationDelay ?? 0);
  if (!Number.isFinite(n) || n < 0) throw new AigwError('AIGW_USAGE', '--db-update-propagation-delay must be a number of seconds ≥ 0');
  return n * 1000;
}

const PROGRESS: Record<string, [string, string]> = { sync: ['syncing', 'synced'], apply: ['applying', 'applied'], reset: ['deleting', 'deleted'] };

export async function runOps(target: Target, ops: readonly Op[], opts: Record<string, unknown>, io: Io, verb: string): Promise<ApplyResult> {
  const [doing, done] = PROGRESS[verb] ?? [verb, verb];
  const total = ops.length;
  let settled = 0;
  let failedCount = 0;
  // plain progress (CI): at most ~20 lines however large the run
  const every = Math.max(100, Math.ceil(total / 20));
  const progress = total > 0 ? io.progress(`${doing} 0/${total}`) : null;
  const result = await apply(order(ops), adminExecutor(target.client), {
    parallelism: parallelismFor(opts, target),
    isConnectionFailure: unreachable,
    stageDelayMs: stageDelayMs(opts),
    onSettled: (_op, outcome) => {
      settled++;
      if (outcome !== 'done') failedCount++;
      if (settled === total || settled % every === 0 || io.stderrIsTTY) progress?.update(`${doing} ${settled}/${total}${failedCount > 0 ? ` (${failedCount} not done)` : ''}`);
    },
  });
  progress?.done(`${done} ${result.done.length}/${total}${failedCount > 0 ? `, ${failedCount} not done` : ''}`);
  return result;
}

/** The file positions of every refused write (Konnect's and Kong's field errors). */
export function printRefusals(io: Io, result: ApplyResult, sources: EntitySources, p: Pick<Planned, 'lookup' | 'mask'>): void {
  const issues = result.failed.flatMap((f) => (f.op.action === 'delete' ? [] : errorIssues(f.op.kind, f.op.after.id, f.error, sources, `${KIND_BY_NAME[f.op.kind].singular} ${opName(f.op, p.lookup, p.mask)}`)));
  printIssues(io, issues);
}
