import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AdminApiError } from '../kong/client.js';
import { CONNECTION_OPTIONS } from './deck/connect.js';
import { maskOptions, strings } from './deck/reconcile.js';
import { skipKinds } from './deck/plan.js';
import { openTarget } from './deck/target.js';
import { readDefaults, readState } from '../kong/read-state.js';
import { readKonnectDefaults } from '../kong/konnect/defaults.js';
import { skipDefaults } from '../kong/skip-defaults.js';
import { withoutKonnectManaged } from '../kong/konnect/managed.js';
import { konnectCurrent } from './deck/konnect-state.js';
import { KINDS } from '../config/kinds.js';
import { writeState } from '../config/write.js';
import { AigwError } from '../errors.js';
import { maskEntity, type MaskOptions } from '../diff/secrets.js';
import type { Command } from './types.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/** `--sanitize`: every secret becomes a salted hash (stable with --sanitization-salt), not a readable value. */
function sanitizer(salt: string): (v: unknown) => unknown {
  return (v) => `sanitized-${createHash('sha256').update(`${salt}\0${JSON.stringify(v)}`).digest('hex').slice(0, 24)}`;
}

/** `aigw dump` / `aigw gateway dump`: the gateway's (or control plane's) configuration as a state file. */
export const command: Command = {
  name: 'dump',
  summary: "write the gateway's or Konnect control plane's configuration as a state file (nested, sorted, deterministic)",
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '-o, --output-file <file>', description: 'write here instead of stdout (- for stdout)', default: '-' },
    { flags: '--format <format>', description: 'yaml or json', default: 'yaml' },
    { flags: '--with-id', description: 'keep ids of entities that have a natural key' },
    { flags: '--select-tag <tag>', description: 'only entities with this tag (repeatable; AND)', parse: collect },
    { flags: '--skip-consumers', description: 'leave out consumers, consumer groups and credentials' },
    { flags: '--skip-ca-certificates', description: 'leave out CA certificates' },
    { flags: '--consumer-group-policy-overrides', description: 'write _info.consumer_group_policy_overrides (written anyway when the gateway has consumer-group policy overrides); do not mix with consumer-group scoped plugins' },
    { flags: '--show-secrets', description: 'write secrets instead of [masked] (needed for a restorable dump)' },
    { flags: '--sanitize', description: 'write every secret as a salted hash (shareable, not restorable)' },
    { flags: '--sanitization-salt <salt>', description: 'salt for --sanitize, so that equal secrets hash alike across dumps', hidden: true },
    { flags: '--skip-defaults', description: "leave out values equal to the target's own defaults (always on for Konnect unless --with-defaults)" },
    { flags: '--with-defaults', description: "Konnect: write Konnect's default values too" },
    { flags: '--yes', description: 'assume yes to prompts (decK; aigw does not prompt here)' },
  ],
  notes: [
    'Consumer-group policy overrides (Kong Enterprise) are dumped whenever the gateway has some, with _info.consumer_group_policy_overrides; decK needs --consumer-group-policy-overrides for that on Kong 3.4+. ' +
      'Differs from decK on purpose: secrets are written as [masked] unless --show-secrets (decK writes them in clear); ' +
      "a dump from Konnect leaves out Konnect's defaults unless --with-defaults (the file then says what was configured, " +
      "and a diff of it against the same control plane shows no change).",
  ],
  examples: ['aigw gateway dump -o kong.yaml --show-secrets', 'aigw gateway dump --konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name prod -o prod.yaml', 'aigw dump --format json --with-id --show-secrets > backup.json'],
  async run({ opts, sources }, io) {
    const format = opts.format === 'json' ? 'json' : opts.format === 'yaml' || opts.format === undefined ? 'yaml' : null;
    if (format === null) throw new AigwError('AIGW_USAGE', `--format must be yaml or json, got ${String(opts.format)}`);
    if (opts.sanitize === true && opts.showSecrets === true) throw new AigwError('AIGW_USAGE', '--sanitize and --show-secrets contradict each other');
    const target = await openTarget({ opts, sources, fileKonnect: null, forWriting: false }, io);
    try {
      const tags = strings(opts.selectTag);
      // a Kong gateway's consumer-group policy overrides are always read (one GET per group): a dump never loses them
      const overrides = opts.consumerGroupPolicyOverrides === true;
      const read = await readState(target.client, { selectTags: tags, skip: skipKinds(opts), policyOverrides: overrides || target.konnect === null });
      let state = target.konnect !== null ? konnectCurrent(withoutKonnectManaged(read).state) : read;
      const skip = opts.skipDefaults === true || (target.konnect !== null && opts.withDefaults !== true);
      if (skip) {
        const names = state.entities.plugins.map((p) => p.name).filter((n): n is string => typeof n === 'string');
        state = skipDefaults(state, target.konnect !== null ? await readKonnectDefaults(target.client, names) : await readDefaults(target.client, names));
      }
      const show = opts.showSecrets === true;
      const mask: MaskOptions = { ...maskOptions([], show), ...(opts.sanitize === true ? { replace: sanitizer(typeof opts.sanitizationSalt === 'string' ? opts.sanitizationSalt : randomBytes(16).toString('hex')) } : {}) };
      const konnect = target.konnect !== null ? { control_plane_name: target.konnect.controlPlane.name } : undefined;
      const text = writeState(state, { format, withId: opts.withId === true, mask, konnect, policyOverrides: overrides });
      const redacted = !show && opts.sanitize !== true && KINDS.some((k) => state.entities[k.name].some((e) => JSON.stringify(maskEntity(k.name, e, mask)) !== JSON.stringify({ ...e })));
      const out = typeof opts.outputFile === 'string' ? opts.outputFile : '-';
      if (out === '-') io.out(text);
      else writeFileSync(resolve(io.cwd, out), text);
      if (redacted) io.err(io.c.yellow('warning: secrets were written as [masked]: validate, diff, sync and serve refuse this file as input (use --show-secrets for a restorable dump)'));
      return 0;
    } catch (err) {
      if (err instanceof AdminApiError) throw new AigwError(err.status === 0 ? 'AIGW_CONNECT' : 'AIGW_ADMIN_API', err.message, { cause: err });
      throw err;
    } finally {
      await target.close();
    }
  },
};
