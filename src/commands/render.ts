import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, OptionSpec } from './types.js';
import { KONG_VERSION_OPTION, applyKongVersion } from './kong-version-option.js';
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

const OPTIONS: OptionSpec[] = [
  { flags: '-o, --output-file <file>', description: 'write here instead of stdout (- for stdout)', default: '-' },
  { flags: '--format <format>', description: 'yaml or json', default: 'yaml' },
  { flags: '--with-id', description: 'keep ids even where a natural key identifies the entity' },
  { flags: '--show-secrets', description: 'print env values, credentials and auth values in clear (e.g. to feed Kong\'s /config)' },
  KONG_VERSION_OPTION,
];

function render(mockByDefault: boolean): Command['run'] {
  return async ({ args, opts }, io) => {
    const files = args.length === 0 && mockByDefault ? ['-'] : args;
    if (files.length === 0) throw new AigwError('AIGW_NO_INPUT', 'give one or more state files or directories, or - for stdin');
    const format = String(opts.format);
    if (format !== 'yaml' && format !== 'json') throw new AigwError('AIGW_USAGE', `--format must be yaml or json, not '${format}'`);
    const mockEnv = mockByDefault ? opts.populateEnvVars !== true : Boolean(opts.mockEnv);
    applyKongVersion(opts, io);
    const r = await loadState(files, { env: io.env, mockEnv, cwd: io.cwd, readStdin: () => io.readStdin() });
    if (!r.state) {
      printIssues(r.issues.filter((i) => i.severity === 'error'), { ...io, out: io.err });
      return 1;
    }
    const text = writeState(r.state, {
      format,
      withId: Boolean(opts.withId),
      mask: { show: Boolean(opts.showSecrets), envValues: r.envValues, pluginSecrets: pluginSecretPaths },
    });
    const out = typeof opts.outputFile === 'string' ? opts.outputFile : '-';
    if (out === '-') io.out(text);
    else writeFileSync(resolve(io.cwd, out), text);
    return 0;
  };
}

export const command: Command = {
  name: 'render',
  summary: 'print the merged, normalised state with Kong defaults filled (secrets masked)',
  args: '[files...]',
  options: [...OPTIONS, { flags: '--mock-env', description: 'render without secrets: ${{ env }} templates get placeholder values' }],
  examples: ['aigw render kong-ai.yaml', 'aigw render config/ --format json --with-id --show-secrets > kong.json'],
  run: render(false),
};

/** `aigw file render`: decK's defaults (stdin when no file, env values mocked unless --populate-env-vars). */
export const fileCommand: Command = {
  name: 'render',
  summary: "combine state files into one, with Kong's defaults filled (decK: deck file render)",
  args: '[files...]',
  options: [...OPTIONS, { flags: '--populate-env-vars', description: 'use the real DECK_/AIGW_ environment values (default: mocked)' }],
  notes: ['Differs from decK on purpose: secrets (credentials, x-secret plugin fields, env values) are masked unless --show-secrets; defaults are filled.'],
  examples: ['aigw file render kong.yaml plugins.yaml -o rendered.yaml', 'aigw file render --populate-env-vars --show-secrets --format json kong.yaml'],
  run: render(true),
};
