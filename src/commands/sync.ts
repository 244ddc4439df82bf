import type { Io } from '../cli/io.js';
import { CONNECTION_OPTIONS } from './deck/connect.js';
import { pushConfig } from '../kong/executor.js';
import { PLAN_NOTES, PLAN_OPTIONS, withPlan, type Planned } from './deck/plan.js';
import { printOutcome } from './deck/outcome.js';
import { printRefusals, runOps, unreachable } from './deck/run-plan.js';
import { waitAfterSync, WAIT_OPTIONS } from './deck/wait.js';
import { AigwError } from '../errors.js';
import type { ApplyResult } from '../diff/apply.js';
import type { Op } from '../diff/plan.js';
import { renderReport } from '../diff/render.js';
import type { Command, OptionSpec } from './types.js';

/** A DB-less target takes the whole configuration in one atomic `POST /config`. */
async function syncDbless(p: Planned, opts: Record<string, unknown>): Promise<ApplyResult> {
  const { client, plan, ops } = p;
  if (opts.skipConsumers === true || plan.target.selectTags.length > 0) {
    throw new AigwError('AIGW_USAGE', 'a DB-less target replaces its whole configuration: --skip-consumers and select tags cannot be honoured');
  }
  if (ops.length === 0) return { done: [], failed: [], dropped: [] };
  try {
    await pushConfig(client, plan.target);
    return { done: ops, failed: [], dropped: [] };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    // nothing was applied: POST /config is all or nothing
    return { done: [], failed: [{ op: ops[0], error }], dropped: ops.slice(1).map((op) => ({ op, reason: 'the configuration was rejected as a whole' })) };
  }
}

/** Print the outcome (text or decK's JSON report); 1 when anything was not done. */
export function report(io: Io, p: Planned, ops: readonly Op[], result: ApplyResult, opts: Record<string, unknown>, verb: string): number {
  const { lookup, mask, warnings, target } = p;
  if (opts.json === true || opts.jsonOutput === true) {
    const done = new Set(result.done);
    io.out(JSON.stringify(renderReport(ops.filter((o) => done.has(o)), lookup, mask, result, { warnings }), null, 2));
  } else {
    printRefusals(io, result, p.desired.sources, p);
    printOutcome(io, ops, result, { lookup, mask, isConnectionFailure: unreachable, target: target.label, verb });
  }
  return result.failed.length + result.dropped.length > 0 || result.halted !== undefined ? 1 : 0;
}

export const APPLY_OPTIONS: OptionSpec[] = [
  { flags: '--parallelism <n>', description: 'maximum concurrent writes (default 10; 4 against Konnect, which rate-limits)' },
  { flags: '--db-update-propagation-delay <seconds>', description: 'pause between dependency levels (for eventually consistent databases)', default: '0' },
];

/** `aigw sync [files...]` / `aigw gateway sync`: make the gateway (or Konnect control plane) match the files. */
export const command: Command = {
  name: 'sync',
  summary: 'make the gateway or Konnect control plane match the state files (dependency order, parallel, every failure reported)',
  args: '[files...]',
  options: [
    ...CONNECTION_OPTIONS,
    ...PLAN_OPTIONS,
    ...APPLY_OPTIONS,
    ...WAIT_OPTIONS,
    { flags: '--dry-run', description: 'print what would change and change nothing' },
  ],
  notes: PLAN_NOTES,
  examples: [
    'aigw gateway sync kong.yaml',
    'aigw gateway sync kong-ai.yaml --konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name kong-ai-tutorial',
    'aigw gateway sync kong-ai.yaml --konnect-token-file token.txt --wait --wait-timeout 120',
    'aigw sync --dry-run kong.yaml',
  ],
  async run(input, io) {
    const { opts } = input;
    return withPlan(input, io, async (p) => {
      const result = opts.dryRun === true ? { done: p.ops, failed: [], dropped: [] } : p.info.dbless ? await syncDbless(p, opts) : await runOps(p.target, p.ops, opts, io, 'sync');
      const code = report(io, p, p.ops, result, opts, 'sync');
      if (code !== 0 || opts.dryRun === true) return code;
      return waitAfterSync(p.target, opts, io);
    });
  },
};
