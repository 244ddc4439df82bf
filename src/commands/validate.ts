import { KONG_VERSION_OPTION, applyKongVersion, konnectProfileForFile } from './kong-version-option.js';
import type { Command } from './types.js';
import type { Io } from '../cli/io.js';
import { loadState } from '../config/index.js';
import { formatIssue, sortIssues, type Issue } from '../config/issues.js';
import { KINDS, KIND_BY_NAME, type KindName } from '../config/kinds.js';
import type { State } from '../config/state.js';
import { hintFor } from '../errors.js';
import { AigwError } from '../errors.js';
import { konnectIssues, konnectVersionIssues } from './deck/konnect-rules.js';
import { githubAnnotations } from '../cli/github-annotations.js';
import { chooseFormat, formatHelp } from '../cli/output-format.js';
import { VERSION } from '../version.js';
import { toSarif } from '../cli/sarif.js';

function counts(state: State): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of KINDS) {
    const n = state.entities[k.name].length;
    if (n > 0) out[k.name] = n;
  }
  return out;
}

function painter(io: Io) {
  return (kind: 'error' | 'warning' | 'dim' | 'code', text: string) =>
    kind === 'error' ? io.c.red(text) : kind === 'warning' ? io.c.yellow(text) : kind === 'dim' ? io.c.dim(text) : io.c.cyan(text);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function printIssues(issues: readonly Issue[], io: Io): void {
  const color = painter(io);
  for (const i of issues) io.out(formatIssue(i, { color, excerpt: io.stdoutIsTTY }));
}

type Loaded = Awaited<ReturnType<typeof loadState>>;

function jsonReport(r: Loaded, ok: boolean, errors: number, warnings: number): string {
  return JSON.stringify({
    valid: ok,
    errors,
    warnings,
    files: r.files.map((f) => f.name),
    issues: r.issues.map((i) => ({ file: i.file ?? null, line: i.line ?? null, column: i.column ?? null, severity: i.severity, code: i.code, message: i.message, path: i.path ?? null, hint: hintFor(i.code) })),
    entities: r.state ? counts(r.state) : null,
  }, null, 2);
}

/** THE list of `validate` output formats (text first, the default); each prints to stdout. */
const FORMATS = ['text', 'json', 'github', 'sarif'] as const;

export const command: Command = {
  name: 'validate',
  summary: 'check state files offline and report every problem with file:line:col',
  args: '[files...]',
  options: [
    { flags: '--format <format>', description: `${formatHelp(FORMATS)}; github prints workflow commands (annotations), sarif a SARIF 2.1.0 log` },
    { flags: '--json', description: 'print the report as JSON (same as --format json)' },
    { flags: '--strict', description: 'fail on warnings too (unknown plugins, unsupported fields, shell variables)' },
    { flags: '--mock-env', description: 'validate without secrets: ${{ env "AIGW_X" }} templates get placeholder values' },
    { flags: '--target <gateway>', description: 'aigw (default) or kong: with kong, uses of aigw extensions a real Kong rejects are warnings', default: 'aigw' },
    { flags: '--consumer-group-policy-overrides', description: 'consumer_groups[].plugins are consumer-group policy overrides of rate-limiting-advanced (as _info.consumer_group_policy_overrides), as sync and diff take them with the same flag' },
    { flags: '--konnect-compatibility', description: 'also check that the files are ready for Konnect (plugins and strategies Konnect does not offer)' },
    KONG_VERSION_OPTION,
  ],
  examples: [
    'aigw validate kong-ai.yaml',
    'aigw validate config/ --strict',
    'aigw validate kong-ai.yaml --target kong   # before syncing to a real Kong',
    'aigw validate kong-ai.yaml --kong-version 3.10   # a file for Kong 3.10 LTS',
    'cat kong.yaml | aigw validate -',
    'aigw validate kong.yaml --mock-env --json',
    'aigw validate kong.yaml --mock-env --format github   # annotations in GitHub Actions',
    'aigw validate kong.yaml --mock-env --format sarif > aigw.sarif',
  ],
  async run({ args, opts }, io) {
    const format = chooseFormat(opts, FORMATS);
    if (args.length === 0) throw new AigwError('AIGW_NO_INPUT', 'give one or more state files or directories, or - for stdin');
    if (opts.target !== 'aigw' && opts.target !== 'kong') throw new AigwError('AIGW_USAGE', `--target must be aigw or kong, not '${String(opts.target)}'`);
    applyKongVersion(opts, io);
    let stdin: Promise<string> | null = null;
    const load = () => loadState(args, { env: io.env, mockEnv: Boolean(opts.mockEnv), strict: Boolean(opts.strict), legacyFormatVersion: true, consumerGroupPolicyOverrides: opts.consumerGroupPolicyOverrides === true, cwd: io.cwd, readStdin: () => (stdin ??= io.readStdin()) });
    let loaded = await load();
    if (konnectProfileForFile(opts, loaded.konnect !== null, io)) loaded = await load();
    const forKong = opts.target === 'kong' && loaded.extensions.length > 0;
    const konnect = opts.konnectCompatibility === true && loaded.state !== null ? [...konnectVersionIssues(loaded.issues), ...konnectIssues(loaded.state, loaded.sources)] : [];
    // Konnect refuses a Kong 2.x format version (decK's error replaces the warning)
    const own = opts.konnectCompatibility === true ? loaded.issues.filter((i) => i.code !== 'AIGW_FORMAT_VERSION' || i.severity !== 'warning') : loaded.issues;
    const r = forKong || konnect.length > 0 ? { ...loaded, issues: sortIssues([...own, ...(forKong ? loaded.extensions : []), ...konnect]) } : loaded;
    const errors = r.issues.filter((i) => i.severity === 'error').length;
    const warnings = r.issues.length - errors;
    const ok = errors === 0 && !(opts.strict && warnings > 0);
    if (format === 'json') {
      io.out(jsonReport(r, ok, errors, warnings));
      return ok ? 0 : 1;
    }
    if (format === 'github' && r.issues.length > 0) io.out(githubAnnotations(r.issues));
    else if (format === 'sarif') io.out(JSON.stringify(toSarif(r.issues, VERSION), null, 2));
    else if (format === 'text') printIssues(r.issues, io);
    const names = r.files.map((f) => f.name).join(', ') || args.join(', ');
    if (ok) {
      const c = r.state ? Object.entries(counts(r.state)).map(([k, n]) => plural(n, KIND_BY_NAME[k as KindName].singular)).join(', ') : '';
      io.err(`${io.c.green('✔')} ${names}: valid${c ? ` (${c})` : ''}${warnings ? `, ${plural(warnings, 'warning')}` : ''}`);
      return 0;
    }
    io.err(`${io.c.red('✖')} ${names}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
    return 1;
  },
};
