import type { Io } from '../cli/io.js';
import { AdminApiError, type AdminClient } from '../kong/client.js';
import { CONNECTION_OPTIONS } from './deck/connect.js';
import { adminExecutor, pushConfig } from '../kong/executor.js';
import { PLAN_OPTIONS, withPlan } from './deck/plan.js';
import { printOutcome } from './deck/outcome.js';
import { AigwError } from '../errors.js';
import { apply, type ApplyResult } from '../diff/apply.js';
import { order } from '../diff/order.js';
import type { Op, Plan } from '../diff/plan.js';
import { renderReport } from '../diff/render.js';
import type { Command } from './types.js';

function parseParallelism(value: unknown): number {
  const n = Number(value ?? 10);
  if (!Number.isInteger(n) || n < 1) throw new AigwError('AIGW_USAGE', '--parallelism must be an integer ≥ 1');
  return n;
}

interface Outcome {
  result: ApplyResult;
}

/** A DB-less target takes the whole configuration in one atomic `POST /config`. */
async function syncDbless(client: AdminClient, plan: Plan, ops: readonly Op[], opts: Record<string, unknown>): Promise<Outcome> {
  if (opts.skipConsumers === true || plan.target.selectTags.length > 0) {
    throw new AigwError('AIGW_USAGE', 'a DB-less target replaces its whole configuration: --skip-consumers and select tags cannot be honoured');
  }
  if (ops.length === 0) return { result: { done: [], failed: [], dropped: [] } };
  try {
    await pushConfig(client, plan.target);
    return { result: { done: ops, failed: [], dropped: [] } };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    // nothing was applied: POST /config is all or nothing
    return { result: { done: [], failed: [{ op: ops[0], error }], dropped: ops.slice(1).map((op) => ({ op, reason: 'the configuration was rejected as a whole' })) } };
  }
}

/** A failure that never reached the target (its retries exhausted): counts towards stopping. */
export const unreachable = (e: Error): boolean => e instanceof AdminApiError && e.status === 0;

async function syncDb(client: AdminClient, ops: readonly Op[], parallelism: number, io: Io): Promise<Outcome> {
  const total = ops.length;
  let settled = 0;
  let failedCount = 0;
  // plain progress (CI): at most ~20 lines however large the sync
  const every = Math.max(100, Math.ceil(total / 20));
  const progress = total > 0 ? io.progress(`syncing 0/${total}`) : null;
  const result = await apply(order(ops), adminExecutor(client), {
    parallelism,
    isConnectionFailure: unreachable,
    onSettled: (_op, outcome) => {
      settled++;
      if (outcome !== 'done') failedCount++;
      if (settled === total || settled % every === 0 || io.stderrIsTTY) progress?.update(`syncing ${settled}/${total}${failedCount > 0 ? ` (${failedCount} not done)` : ''}`);
    },
  });
  progress?.done(`synced ${result.done.length}/${total}${failedCount > 0 ? `, ${failedCount} not done` : ''}`);
  return { result };
}

/** `aigw sync [files...]`: make the gateway match the files. */
export const command: Command = {
  name: 'sync',
  summary: 'make the gateway match the state files (dependency order, parallel, every failure reported)',
  args: '[files...]',
  options: [
    ...CONNECTION_OPTIONS,
    ...PLAN_OPTIONS,
    { flags: '--parallelism <n>', description: 'concurrent Admin API writes', default: '10' },
    { flags: '--dry-run', description: 'print what would change and change nothing' },
  ],
  examples: ['aigw sync kong.yaml', 'aigw sync --dry-run kong.yaml', 'aigw sync --kong-addr http://localhost:8001 --parallelism 20 dir/'],
  async run({ args, opts }, io) {
    const parallelism = parseParallelism(opts.parallelism);
    return withPlan(args, opts, io, async ({ client, info, plan, ops, lookup, mask, warnings }) => {
      let result: ApplyResult;
      if (opts.dryRun === true) result = { done: ops, failed: [], dropped: [] };
      else result = (info.dbless ? await syncDbless(client, plan, ops, opts) : await syncDb(client, ops, parallelism, io)).result;
      if (opts.json === true) {
        const done = new Set(result.done);
        io.out(JSON.stringify(renderReport(ops.filter((o) => done.has(o)), lookup, mask, result, { warnings }), null, 2));
      } else printOutcome(io, ops, result, { lookup, mask, isConnectionFailure: unreachable, target: `the Admin API at ${client.baseUrl}`, verb: 'sync' });
      return result.failed.length + result.dropped.length > 0 ? 1 : 0;
    });
  },
};
