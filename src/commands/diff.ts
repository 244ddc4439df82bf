import { CONNECTION_OPTIONS } from './deck/connect.js';
import { PLAN_OPTIONS, paintFor, withPlan, type Planned } from './deck/plan.js';
import type { Io } from '../cli/io.js';
import { chooseFormat, formatHelp } from '../cli/output-format.js';
import { renderMarkdown } from '../diff/markdown.js';
import { renderReport, renderText } from '../diff/render.js';
import { AigwError } from '../errors.js';
import type { Command } from './types.js';

/** THE list of `diff` output formats; the first is the default. */
const FORMATS = {
  text: (p: Planned, io: Io) => renderText(p.ops, p.lookup, { ...p.mask, paint: paintFor(io) }),
  json: (p: Planned) => JSON.stringify(renderReport(p.ops, p.lookup, p.mask, undefined, { warnings: p.warnings }), null, 2),
  markdown: (p: Planned) => renderMarkdown(p.ops, p.lookup, { ...p.mask, warnings: p.warnings }),
} as const;
type Format = keyof typeof FORMATS;
const NAMES = Object.keys(FORMATS) as Format[];

/** `aigw diff [files...]`: what sync would change, without changing anything. */
export const command: Command = {
  name: 'diff',
  summary: 'show what sync would change on the gateway (exit 2 with --exit-code when there is drift)',
  args: '[files...]',
  options: [
    ...CONNECTION_OPTIONS,
    ...PLAN_OPTIONS,
    { flags: '--format <format>', description: `${formatHelp(NAMES)}; markdown is a PR comment (summary table, a collapsible diff per entity)` },
    { flags: '--exit-code', description: 'exit 2 when there are changes' },
    { flags: '--non-zero-exit-code', description: 'alias of --exit-code (decK)' },
  ],
  examples: [
    'aigw diff kong.yaml',
    'aigw diff --exit-code --json kong.yaml',
    'aigw diff kong.yaml --format markdown > aigw-diff.md   # a pull request comment',
    'aigw diff --kong-addr http://gw:8001 --select-tag team-a dir/',
  ],
  async run({ args, opts }, io) {
    const format = chooseFormat(opts, NAMES);
    if (format === 'markdown' && opts.showSecrets === true) {
      throw new AigwError('AIGW_USAGE', '--format markdown is meant for comments others read: it never shows secrets, so it cannot be combined with --show-secrets');
    }
    return withPlan(args, opts, io, async (planned) => {
      io.out(FORMATS[format](planned, io));
      const wantCode = opts.exitCode === true || opts.nonZeroExitCode === true;
      return wantCode && planned.ops.length > 0 ? 2 : 0;
    });
  },
};
