/**
 * `aigw gateway validate [files...]` (online): every entity of the files is checked by the target's
 * own validator, `POST /schemas/{entity}/validate` (Kong: in the workspace; Konnect: on the control
 * plane's root, as decK's validate/validate.go does), and each refusal is printed at the
 * `file:line:col` of the field it names. Nothing is written. A Kong 2.x `_format_version` (1.1,
 * 2.1) is a warning, its entities validated as written, as decK does; Konnect refuses it.
 */
import type { Io } from '../cli/io.js';
import { KINDS, type KindDef, type KindName } from '../config/kinds.js';
import type { Entity } from '../config/state.js';
import { sortIssues, type Issue } from '../config/issues.js';
import { AigwError } from '../errors.js';
import { displayName } from '../diff/identity.js';
import { lookupIn } from '../diff/render.js';
import { AdminApiError } from '../kong/client.js';
import { payload } from '../kong/executor.js';
import { CONNECTION_OPTIONS } from './deck/connect.js';
import { errorIssues } from './deck/error-positions.js';
import { konnectIssues, konnectVersionIssues } from './deck/konnect-rules.js';
import { loadDesired, printIssues, type Desired } from './deck/plan.js';
import { strings } from './deck/reconcile.js';
import { openTarget, type Target } from './deck/target.js';
import type { Command } from './types.js';

interface Check {
  kind: KindDef;
  e: Entity;
}

/** The body validated: what the file says (the target fills its own defaults), foreign keys as ids. */
function body(d: Desired, c: Check): Record<string, unknown> {
  const written = d.sources.written(c.kind.name, c.e.id) ?? c.e;
  return { ...payload(c.kind, written as Entity), id: c.e.id };
}

async function validateAll(target: Target, d: Desired, checks: Check[], parallelism: number): Promise<Issue[]> {
  const lookup = lookupIn(d.state);
  const issues: Issue[] = [];
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const c = checks[next++];
      // Konnect validates on the control plane's root; Kong in the workspace
      const path = target.konnect !== null ? `/schemas/${c.kind.schemaName}/validate` : target.client.scoped(`/schemas/${c.kind.schemaName}/validate`);
      try {
        await target.client.call('POST', path, body(d, c), { idempotent: true });
      } catch (err) {
        if (!(err instanceof AdminApiError) || err.status === 0 || err.status >= 500) throw err;
        const who = `${c.kind.singular} ${displayName(c.kind.name, c.e, lookup)}`;
        const found = errorIssues(c.kind.name, c.e.id, err, d.sources, who);
        issues.push(...(found.length > 0 ? found : [{ severity: 'error', code: 'AIGW_ADMIN_API', message: `${who}: ${err.message}` } satisfies Issue]));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, checks.length) }, worker));
  return sortIssues(issues);
}

function entitiesToCheck(d: Desired, only: readonly string[]): Check[] {
  const known = new Set(KINDS.map((k) => k.name as string));
  const bad = only.filter((k) => !known.has(k));
  if (bad.length > 0) throw new AigwError('AIGW_USAGE', `invalid value '${bad[0]}' for --online-entities-list; it should be a valid Kong entity (case-sensitive). Valid entities: ${[...known].join(', ')}`);
  return KINDS.filter((k) => k.membership === undefined && (only.length === 0 || only.includes(k.name))).flatMap((k) => d.state.entities[k.name as KindName].map((e) => ({ kind: k, e })));
}

function summary(io: Io, label: string, checked: number, errors: number): void {
  if (errors === 0) io.err(`${io.c.green('✔')} ${checked} entities valid on ${label}`);
  else io.err(`${io.c.red('✖')} ${errors} error${errors === 1 ? '' : 's'} from ${label} (${checked} entities checked)`);
}

export const command: Command = {
  name: 'validate',
  summary: "check every entity of the files with the target's own validator (online), errors at file:line:col",
  args: '[files...]',
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '--online-entities-list <kind>', description: 'only validate these entity kinds (repeatable or comma-separated)', parse: (v: string, p: unknown) => [...(Array.isArray(p) ? (p as string[]) : []), v] },
    { flags: '--parallelism <n>', description: 'concurrent validation requests', default: '10' },
    { flags: '--konnect-compatibility', description: 'also check that the files are ready for Konnect (plugins and strategies Konnect does not offer)' },
  ],
  examples: ['aigw gateway validate kong.yaml', 'aigw gateway validate kong-ai.yaml --konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name prod'],
  async run({ args, opts, sources }, io) {
    // decK's gateway validate checks a Kong 2.x file's entities as written (cmd/gateway_validate.go refuses no
    // format version; only Konnect does, below); sync and diff refuse it
    const d = await loadDesired(args, opts, io, { legacyFormatVersion: true });
    if (d === null) return 1;
    const checks = entitiesToCheck(d, strings(opts.onlineEntitiesList));
    const target = await openTarget({ opts, sources, fileKonnect: d.konnect, fileWorkspace: d.state.workspace, forWriting: false }, io);
    try {
      const offline = target.konnect !== null || opts.konnectCompatibility === true ? [...konnectVersionIssues(d.legacyFormat), ...konnectIssues(d.state, d.sources)] : [];
      const parallelism = Math.max(1, Number(opts.parallelism ?? 10) || 10);
      const issues = sortIssues([...offline, ...(await validateAll(target, d, checks, parallelism))]);
      printIssues({ ...io, err: io.out }, issues);
      summary(io, target.label, checks.length, issues.length);
      return issues.length > 0 ? 1 : 0;
    } catch (err) {
      if (err instanceof AdminApiError) throw new AigwError(err.status === 0 ? 'AIGW_CONNECT' : 'AIGW_ADMIN_API', err.message, { cause: err });
      throw err;
    } finally {
      await target.close();
    }
  },
};
