import { AdminApiError } from '../kong/client.js';
import { CONNECTION_OPTIONS, clientFrom } from './deck/connect.js';
import { adminExecutor, pushConfig } from '../kong/executor.js';
import { connect, skipSet, strings } from './deck/reconcile.js';
import { readState } from '../kong/read-state.js';
import { emptyState } from '../config/state.js';
import { AigwError } from '../errors.js';
import { apply } from '../diff/apply.js';
import { order } from '../diff/order.js';
import { countOps, plan } from '../diff/plan.js';
import { droppedLine, failureLine, lookupIn, renderSummary } from '../diff/render.js';
import type { Command } from './types.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/** `aigw reset`: delete everything (or everything with the select tags). */
export const command: Command = {
  name: 'reset',
  summary: 'delete every entity on the gateway (scoped by --select-tag); asks first unless --yes',
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--select-tag <tag>', description: 'only delete entities with this tag (repeatable; AND)', parse: collect },
    { flags: '--skip-consumers', description: 'leave consumers, consumer groups and credentials alone' },
    { flags: '-y, --yes', description: 'do not ask for confirmation' },
    { flags: '--parallelism <n>', description: 'concurrent Admin API deletes', default: '10' },
  ],
  examples: ['aigw reset --yes', 'aigw reset --select-tag team-a'],
  async run({ opts }, io) {
    const client = clientFrom(opts, io.env, io.cwd, { retryBaseMs: typeof opts.retryBaseMs === 'number' ? opts.retryBaseMs : undefined });
    try {
      const info = await connect(client);
      const tags = strings(opts.selectTag);
      const skip = skipSet(opts.skipConsumers === true);
      const current = await readState(client, { selectTags: tags, skip });
      const p = plan(current, emptyState(), { skip });
      const n = countOps(p.ops).deleting;
      if (n === 0) {
        io.out('Nothing to delete.');
        return 0;
      }
      const scope = tags.length > 0 ? ` tagged ${tags.join(',')}` : '';
      if (opts.yes !== true && !(await io.confirm(`This deletes ${n} entities${scope} from the gateway. Are you sure? [y/N]`))) {
        io.err('reset cancelled');
        return 1;
      }
      if (info.dbless) {
        if (tags.length > 0 || skip.size > 0) throw new AigwError('AIGW_USAGE', 'a DB-less target can only be reset as a whole');
        await pushConfig(client, emptyState());
        io.out(renderSummary({ creating: 0, updating: 0, deleting: n }).join('\n'));
        return 0;
      }
      const parallelism = Math.max(1, Number(opts.parallelism ?? 10) || 10);
      const result = await apply(order(p.ops), adminExecutor(client), { parallelism });
      const lookup = lookupIn(current);
      io.out(renderSummary({ creating: 0, updating: 0, deleting: result.done.length }).join('\n'));
      for (const f of result.failed) io.err(`error: ${failureLine(f.op, f.error, lookup, {})}`);
      for (const d of result.dropped) io.err(droppedLine(d.op, d.reason, lookup, {}));
      return result.failed.length + result.dropped.length > 0 ? 1 : 0;
    } catch (err) {
      if (err instanceof AdminApiError) throw new AigwError('AIGW_ADMIN_API', err.message, { cause: err });
      throw err;
    } finally {
      await client.close();
    }
  },
};
