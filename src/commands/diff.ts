import { CONNECTION_OPTIONS } from './deck/connect.js';
import { PLAN_NOTES, PLAN_OPTIONS, paintFor, withPlan, type Planned } from './deck/plan.js';
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

/** `aigw diff [files...]` / `aigw gateway diff`: what sync would change, without changing anything. */
export const command: Command = {
  name: 'diff',
  summary: 'show what sync would change on the gateway or Konnect control plane (exit 2 with --non-zero-exit-code on drift)',
  args: '[files...]',
  options: [
    ...CONNECTION_OPTIONS,
    ...PLAN_OPTIONS,
    { flags: '--format <format>', description: `${formatHelp(NAMES)}; markdown is a PR comment (summary table, a collapsible diff per entity); --json-output = json` },
    { flags: '--parallelism <n>', description: 'accepted for decK compatibility; a diff only reads', default: '10' },
    { flags: '--non-zero-exit-code', description: 'exit 2 when there are changes, 0 when none, 1 on error' },
    { flags: '--exit-code', description: 'alias of --non-zero-exit-code', hidden: true },
  ],
  notes: PLAN_NOTES,
  examples: [
    'aigw gateway diff kong.yaml',
    'aigw gateway diff --non-zero-exit-code --json-output kong.yaml',
    'aigw diff kong.yaml --format markdown > aigw-diff.md   # a pull request comment',
    'aigw gateway diff kong-ai.yaml --konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name kong-ai-tutorial',
  ],
  async run(input, io) {
    const opts = input.opts;
    const format = chooseFormat({ ...opts, json: opts.json === true || opts.jsonOutput === true }, NAMES);
    if (format === 'markdown' && opts.showSecrets === true) {
      throw new AigwError('AIGW_USAGE', '--format markdown is meant for comments others read: it never shows secrets, so it cannot be combined with --show-secrets');
    }
    return withPlan(input, io, async (planned) => {
      io.out(FORMATS[format](planned, io));
      const wantCode = opts.exitCode === true || opts.nonZeroExitCode === true;
      return wantCode && planned.ops.length > 0 ? 2 : 0;
    }, 'diff');
  },
};
