import type { Command } from './types.js';
import { loadState } from '../config/index.js';
import { writeState } from '../config/write.js';
import { schemas } from '../config/schemas.js';
import { secretPathsFromSchema } from '../diff/secrets.js';
import { AigwError } from '../errors.js';
import { printIssues } from './validate.js';

/** Secret config paths of a plugin, from its schema's `x-secret` marks. */
export function pluginSecretPaths(name: string): string[][] {
  const schema = schemas().plugin(name);
  return schema ? secretPathsFromSchema(schema) : [];
}

export const command: Command = {
  name: 'render',
  summary: 'print the merged, normalised state with Kong defaults filled (secrets masked)',
  args: '[files...]',
  options: [
    { flags: '--format <format>', description: 'yaml or json', default: 'yaml' },
    { flags: '--with-id', description: 'keep ids even where a natural key identifies the entity' },
    { flags: '--show-secrets', description: 'print env values, credentials and auth values in clear (e.g. to feed Kong\'s /config)' },
    { flags: '--mock-env', description: 'render without secrets: ${{ env }} templates get placeholder values' },
  ],
  examples: ['aigw render kong-ai.yaml', 'aigw render config/ --format json --with-id --show-secrets > kong.json'],
  async run({ args, opts }, io) {
    if (args.length === 0) throw new AigwError('AIGW_NO_INPUT', 'give one or more state files or directories, or - for stdin');
    const format = String(opts.format);
    if (format !== 'yaml' && format !== 'json') throw new AigwError('AIGW_USAGE', `--format must be yaml or json, not '${format}'`);
    const r = await loadState(args, { env: io.env, mockEnv: Boolean(opts.mockEnv), cwd: io.cwd, readStdin: () => io.readStdin() });
    if (!r.state) {
      printIssues(r.issues.filter((i) => i.severity === 'error'), { ...io, out: io.err });
      return 1;
    }
    io.out(writeState(r.state, {
      format,
      withId: Boolean(opts.withId),
      mask: { show: Boolean(opts.showSecrets), envValues: r.envValues, pluginSecrets: pluginSecretPaths },
    }));
    return 0;
  },
};
