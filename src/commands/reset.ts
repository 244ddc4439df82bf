import { AdminApiError } from '../kong/client.js';
import { CONNECTION_OPTIONS } from './deck/connect.js';
import { pushConfig } from '../kong/executor.js';
import { maskOptions, strings } from './deck/reconcile.js';
import { skipKinds } from './deck/plan.js';
import { openTarget } from './deck/target.js';
import { runOps, unreachable } from './deck/run-plan.js';
import { haltLine, reportedFailures } from './deck/outcome.js';
import { readState } from '../kong/read-state.js';
import { withoutKonnectManaged } from '../kong/konnect/managed.js';
import { emptyState } from '../config/state.js';
import { AigwError } from '../errors.js';
import { countOps, plan } from '../diff/plan.js';
import { droppedLine, failureLine, lookupIn, renderReport, renderSummary } from '../diff/render.js';
import type { Command } from './types.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/** `aigw reset` / `aigw gateway reset`: delete everything (or everything with the select tags). */
export const command: Command = {
  name: 'reset',
  summary: 'delete every entity on the gateway or Konnect control plane (scoped by --select-tag); asks first unless --force',
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--select-tag <tag>', description: 'only delete entities with this tag (repeatable; AND)', parse: collect },
    { flags: '--skip-consumers', description: 'leave consumers, consumer groups and credentials alone' },
    { flags: '--skip-ca-certificates', description: 'leave CA certificates alone' },
    { flags: '-f, --force', description: 'do not ask for confirmation' },
    { flags: '-y, --yes', description: 'alias of --force' },
    { flags: '--json-output', description: "print decK's JSON report" },
    { flags: '--parallelism <n>', description: 'concurrent deletes (default 10; 4 against Konnect)' },
  ],
  notes: ['Konnect-managed entities (tagged konnect-managed) are never deleted.'],
  examples: ['aigw gateway reset --force', 'aigw gateway reset --select-tag team-a', 'aigw gateway reset -f --konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name dev'],
  async run({ opts, sources }, io) {
    const target = await openTarget({ opts, sources, fileKonnect: null, forWriting: true }, io);
    try {
      const tags = strings(opts.selectTag);
      const skip = skipKinds(opts);
      const read = await readState(target.client, { selectTags: tags, skip });
      const current = target.konnect !== null ? withoutKonnectManaged(read).state : read;
      const p = plan(current, emptyState(), { skip });
      const n = countOps(p.ops).deleting;
      if (n === 0) {
        io.out('Nothing to delete.');
        return 0;
      }
      const scope = tags.length > 0 ? ` tagged ${tags.join(',')}` : '';
      const sure = opts.force === true || opts.yes === true;
      if (!sure && !(await io.confirm(`This deletes ${n} entities${scope} from ${target.label}. Are you sure? [y/N]`))) {
        io.err('reset cancelled');
        return 1;
      }
      if (target.info.dbless) {
        if (tags.length > 0 || skip.size > 0) throw new AigwError('AIGW_USAGE', 'a DB-less target can only be reset as a whole');
        await pushConfig(target.client, emptyState());
        io.out(renderSummary({ creating: 0, updating: 0, deleting: n }).join('\n'));
        return 0;
      }
      const result = await runOps(target, p.ops, opts, io, 'reset');
      const lookup = lookupIn(current);
      if (opts.jsonOutput === true) io.out(JSON.stringify(renderReport(result.done, lookup, maskOptions([], false), result), null, 2));
      else io.out(renderSummary({ creating: 0, updating: 0, deleting: result.done.length }).join('\n'));
      for (const f of reportedFailures(result, unreachable)) io.err(`error: ${failureLine(f.op, f.error, lookup, {})}`);
      for (const d of result.dropped) io.err(droppedLine(d.op, d.reason, lookup, {}));
      const halt = haltLine(result, p.ops.length, target.label, 'reset');
      if (halt !== null) io.err(`error: AIGW_CONNECT: ${halt}`);
      return result.failed.length + result.dropped.length > 0 || result.halted !== undefined ? 1 : 0;
    } catch (err) {
      if (err instanceof AdminApiError) throw new AigwError(err.status === 0 ? 'AIGW_CONNECT' : 'AIGW_ADMIN_API', err.message, { cause: err });
      throw err;
    } finally {
      await target.close();
    }
  },
};
