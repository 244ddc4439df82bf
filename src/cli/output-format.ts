import { AigwError } from '../errors.js';

/**
 * The output format of a report command: `--format NAME`, with `--json` kept as an alias of
 * `--format json`. `formats` is the command's list; the first entry is the default.
 */
export function chooseFormat<F extends string>(opts: Record<string, unknown>, formats: readonly F[]): F {
  const flag = opts.format;
  if (flag !== undefined && typeof flag !== 'string') throw new AigwError('AIGW_USAGE', '--format takes a value');
  if (opts.json === true) {
    if (flag !== undefined && flag !== 'json') throw new AigwError('AIGW_USAGE', `--json and --format ${flag} disagree; give one of them`);
    if (!formats.includes('json' as F)) throw new AigwError('AIGW_USAGE', '--json is not available here');
    return 'json' as F;
  }
  if (flag === undefined) return formats[0];
  const found = formats.find((f) => f === flag);
  if (found === undefined) throw new AigwError('AIGW_USAGE', `--format must be one of ${formats.join(', ')}, not '${flag}'`);
  return found;
}

export function formatHelp(formats: readonly string[]): string {
  return `output format: ${formats.join(', ')} (default ${formats[0]})`;
}
