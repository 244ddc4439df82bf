import { CONNECTION_OPTIONS } from './deck/connect.js';
import { PLAN_NOTES, PLAN_OPTIONS, withPlan } from './deck/plan.js';
import { runOps } from './deck/run-plan.js';
import { APPLY_OPTIONS, report } from './sync.js';
import type { Command } from './types.js';
import { AigwError } from '../errors.js';

/**
 * `aigw gateway apply [files...]`: create and update what the files say, delete nothing (decK's
 * partial apply). Everything else on the target stays as it is; the files' references may name
 * the target's entities (src/config/gateway-refs.ts).
 */
export const command: Command = {
  name: 'apply',
  summary: 'create and update the entities of the files on the gateway or Konnect control plane; never delete',
  args: '[files...]',
  options: [...CONNECTION_OPTIONS, ...PLAN_OPTIONS.filter((o) => !o.flags.startsWith('--select-tag')), ...APPLY_OPTIONS],
  notes: [
    ...PLAN_NOTES,
    "References (a plugin naming its consumer, service or route, a consumer its groups) that the files do not satisfy are looked up among the target's entities, by name or id, as decK's apply does; "
      + 'an entity found there is only referenced, never created, changed or deleted. A reference found neither in the files nor on the target is an error at file:line:col.',
  ],
  examples: ['aigw gateway apply extra-consumers.yaml', 'aigw gateway apply team-a.yaml --konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name prod'],
  run: (input, io) =>
    withPlan(input, io, async (p) => {
      if (p.info.dbless) throw new AigwError('AIGW_USAGE', `${p.target.label} is DB-less: it only takes whole configurations (use sync); apply needs a database-backed gateway or Konnect`);
      const ops = p.ops.filter((op) => op.action !== 'delete');
      const result = await runOps(p.target, ops, input.opts, io, 'apply');
      return report(io, p, ops, result, input.opts, 'apply');
    }, 'apply'),
};
