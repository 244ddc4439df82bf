import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AdminApiError } from '../kong/client.js';
import { CONNECTION_OPTIONS, clientFrom } from './deck/connect.js';
import { connect, maskOptions, skipSet, strings } from './deck/reconcile.js';
import { readState } from '../kong/read-state.js';
import { KINDS } from '../config/kinds.js';
import { writeState } from '../config/write.js';
import { AigwError } from '../errors.js';
import { maskEntity } from '../diff/secrets.js';
import type { Command } from './types.js';

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/** `aigw dump`: the gateway's configuration as a state file. */
export const command: Command = {
  name: 'dump',
  summary: "write the gateway's configuration as a state file (nested, sorted, deterministic)",
  options: [
    ...CONNECTION_OPTIONS,
    { flags: '-o, --output-file <file>', description: 'write here instead of stdout (- for stdout)', default: '-' },
    { flags: '--format <format>', description: 'yaml or json', default: 'yaml' },
    { flags: '--with-id', description: 'keep ids of entities that have a natural key' },
    { flags: '--select-tag <tag>', description: 'only entities with this tag (repeatable; AND)', parse: collect },
    { flags: '--skip-consumers', description: 'leave out consumers, consumer groups and credentials' },
    { flags: '--show-secrets', description: 'write secrets instead of [masked] (needed for a restorable dump)' },
  ],
  examples: ['aigw dump -o kong.yaml', 'aigw dump --format json --with-id --show-secrets > backup.json'],
  async run({ opts }, io) {
    const format = opts.format === 'json' ? 'json' : opts.format === 'yaml' || opts.format === undefined ? 'yaml' : null;
    if (format === null) throw new AigwError('AIGW_USAGE', `--format must be yaml or json, got ${String(opts.format)}`);
    const client = clientFrom(opts, io.env, io.cwd, { retryBaseMs: typeof opts.retryBaseMs === 'number' ? opts.retryBaseMs : undefined });
    try {
      await connect(client);
      const tags = strings(opts.selectTag);
      const state = await readState(client, { selectTags: tags, skip: skipSet(opts.skipConsumers === true) });
      const show = opts.showSecrets === true;
      const mask = maskOptions([], show);
      const text = writeState(state, { format, withId: opts.withId === true, mask });
      const redacted = !show && KINDS.some((k) => state.entities[k.name].some((e) => JSON.stringify(maskEntity(k.name, e, mask)) !== JSON.stringify({ ...e })));
      const out = typeof opts.outputFile === 'string' ? opts.outputFile : '-';
      if (out === '-') io.out(text);
      else writeFileSync(resolve(io.cwd, out), text);
      if (redacted) io.err(io.c.yellow('warning: secrets were written as [masked]: validate, diff, sync and serve refuse this file as input (use --show-secrets for a restorable dump)'));
      return 0;
    } catch (err) {
      if (err instanceof AdminApiError) throw new AigwError('AIGW_ADMIN_API', err.message, { cause: err });
      throw err;
    } finally {
      await client.close();
    }
  },
};
