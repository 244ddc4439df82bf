import { CONNECTION_OPTIONS } from './deck/connect.js';
import { PLAN_OPTIONS, paintFor, withPlan } from './deck/plan.js';
import { renderReport, renderText } from '../diff/render.js';
import type { Command } from './types.js';

/** `aigw diff [files...]`: what sync would change, without changing anything. */
export const command: Command = {
  name: 'diff',
  summary: 'show what sync would change on the gateway (exit 2 with --exit-code when there is drift)',
  args: '[files...]',
  options: [
    ...CONNECTION_OPTIONS,
    ...PLAN_OPTIONS,
    { flags: '--exit-code', description: 'exit 2 when there are changes' },
    { flags: '--non-zero-exit-code', description: 'alias of --exit-code (decK)' },
  ],
  examples: ['aigw diff kong.yaml', 'aigw diff --exit-code --json kong.yaml', 'aigw diff --kong-addr http://gw:8001 --select-tag team-a dir/'],
  run: ({ args, opts }, io) =>
    withPlan(args, opts, io, async ({ ops, lookup, mask, warnings }) => {
      if (opts.json === true) io.out(JSON.stringify(renderReport(ops, lookup, mask, undefined, { warnings }), null, 2));
      else io.out(renderText(ops, lookup, { ...mask, paint: paintFor(io) }));
      const wantCode = opts.exitCode === true || opts.nonZeroExitCode === true;
      return wantCode && ops.length > 0 ? 2 : 0;
    }),
};
