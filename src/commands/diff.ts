import { CONNECTION_OPTIONS, clientFrom } from '../admin/connect.js';
import { maskOptions, reconcile, skipSet } from '../admin/reconcile.js';
import { PLAN_OPTIONS, extensionWarnings, loadDesired, paintFor } from '../admin/target-file.js';
import { order } from '../diff/order.js';
import { lookupIn, renderReport, renderText } from '../diff/render.js';
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
  async run({ args, opts }, io) {
    const desired = await loadDesired(args, opts, io);
    if (desired === null) return 1;
    const client = clientFrom({ ...opts, workspace: opts.workspace ?? desired.state.workspace ?? undefined }, io.env, io.cwd, {
      retryBaseMs: typeof opts.retryBaseMs === 'number' ? opts.retryBaseMs : undefined,
    });
    try {
      const { info, plan } = await reconcile(client, desired.state, { selectTags: desired.selectTags, skip: skipSet(opts.skipConsumers === true) });
      const extensions = extensionWarnings(desired, info, io);
      const ops = order(plan.ops).flatMap((s) => s.ops);
      const lookup = lookupIn(plan.target, plan.current);
      const mask = maskOptions(desired.envValues, opts.showSecrets === true);
      if (opts.json === true) io.out(JSON.stringify(renderReport(ops, lookup, mask, undefined, { warnings: [...desired.warnings, ...extensions] }), null, 2));
      else io.out(renderText(ops, lookup, { ...mask, paint: paintFor(io) }));
      const wantCode = opts.exitCode === true || opts.nonZeroExitCode === true;
      return wantCode && ops.length > 0 ? 2 : 0;
    } finally {
      await client.close();
    }
  },
};
