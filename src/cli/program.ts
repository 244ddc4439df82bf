import { Command as Commander, Option } from 'commander';
import { COMMANDS, GROUPS } from '../commands/index.js';
import type { Command, OptionSpec } from '../commands/types.js';
import { processIo } from './io.js';
import { AigwError } from '../errors.js';

import { VERSION } from '../version.js';

export { VERSION };

/** Options every command accepts. Values may also come from the named environment variables. */
export const GLOBAL_OPTIONS = [
  { flags: '--no-color', description: 'disable colours (also NO_COLOR=1)' },
] as const;

/** `--kong-addr <url>` → `kong-addr`. */
function longName(flags: string): string | undefined {
  return /--([a-z0-9][a-z0-9-]*)/.exec(flags)?.[1];
}

/** The environment variables an option is read from: its own, else `AIGW_<FLAG>` then `DECK_<FLAG>`. */
export function envNames(spec: OptionSpec): string[] {
  if (spec.env !== undefined) return [spec.env];
  const name = longName(spec.flags);
  if (name === undefined || name.startsWith('no-')) return [];
  const upper = name.toUpperCase().replace(/-/g, '_');
  return [`AIGW_${upper}`, `DECK_${upper}`];
}

function envValue(spec: OptionSpec, raw: string, previous: unknown): unknown {
  if (!/[<[]/.test(spec.flags)) return !/^(0|false|no|off)?$/i.test(raw.trim());
  if (spec.parse === undefined) return raw;
  // a repeatable option takes a comma-separated list from the environment
  let value = previous;
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) value = spec.parse(part, value);
  return value;
}

/** Fill options not given on the command line from the environment; returns where each value came from. */
function fromEnv(sub: Commander, specs: readonly OptionSpec[], env: NodeJS.ProcessEnv): Record<string, 'cli' | 'env' | 'default'> {
  const sources: Record<string, 'cli' | 'env' | 'default'> = {};
  for (const spec of specs) {
    const name = longName(spec.flags);
    if (name === undefined) continue;
    const key = name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const source = sub.getOptionValueSource(key);
    if (source === 'cli') {
      sources[key] = 'cli';
      continue;
    }
    const envName = envNames(spec).find((n) => env[n] !== undefined && env[n] !== '');
    if (envName !== undefined) {
      sub.setOptionValueWithSource(key, envValue(spec, env[envName] as string, undefined), 'env');
      sources[key] = 'env';
    } else if (source === 'default') sources[key] = 'default';
  }
  return sources;
}

function register(parent: Commander, cmd: Command, name: string, onRun: (code: number) => void): void {
  const sub = parent.command(name).description(cmd.summary);
  if (cmd.args) sub.argument(cmd.args);
  for (const spec of cmd.options) {
    const opt = new Option(spec.flags, spec.description);
    if (spec.default !== undefined) opt.default(spec.default);
    if (spec.parse) opt.argParser(spec.parse);
    if (spec.hidden) opt.hideHelp();
    const envs = envNames(spec);
    if (envs.length > 0 && !spec.hidden) opt.description = `${spec.description} (env ${envs.join(', ')})`;
    sub.addOption(opt);
  }
  for (const g of GLOBAL_OPTIONS) sub.option(g.flags, g.description);
  const after = [...(cmd.notes ?? []), ...(cmd.examples?.length ? [`Examples:\n${cmd.examples.map((e) => `  $ ${e}`).join('\n')}`] : [])];
  if (after.length > 0) sub.addHelpText('after', `\n${after.join('\n\n')}`);
  sub.action(async (...params: unknown[]) => {
    const self = params[params.length - 1] as Commander;
    const sources = fromEnv(self, cmd.options, process.env);
    const opts = self.opts();
    const args = self.processedArgs.flat().filter((a): a is string => typeof a === 'string');
    const io = processIo({ color: opts.color !== false });
    onRun(await cmd.run({ args, opts, sources }, io));
  });
}

/**
 * Parse argv and run the chosen command. Only the invoked command's module is imported.
 * Returns the exit code; throws AigwError for usage problems.
 */
export async function runCli(argv: string[]): Promise<number> {
  const program = new Commander('aigw')
    .description('AI gateway configuration as code for Kong and Konnect: validate, diff, sync, serve')
    .version(VERSION, '-V, --version')
    .option('--no-color', 'disable colours (also NO_COLOR=1)')
    .showHelpAfterError()
    .exitOverride();
  let code = 0;
  const words = argv.slice(2).filter((w) => !w.startsWith('-'));
  const [first, second] = words;
  const group = first !== undefined ? GROUPS[first] : undefined;
  if (group !== undefined) {
    const g = program.command(first as string).description(group.summary).exitOverride();
    if (second !== undefined && second in group.commands) register(g, await group.commands[second].load(), second, (c) => (code = c));
    else for (const [n, entry] of Object.entries(group.commands)) g.command(n).description(entry.summary);
    for (const [n, entry] of Object.entries(GROUPS)) if (n !== first) program.command(n).description(entry.summary);
  } else if (first !== undefined && first in COMMANDS) {
    register(program, await COMMANDS[first].load(), first, (c) => (code = c));
  } else {
    // help, --version, or an unknown command: list every command without loading them
    for (const [n, entry] of Object.entries(COMMANDS)) program.command(n).description(entry.summary);
    for (const [n, entry] of Object.entries(GROUPS)) program.command(n).description(entry.summary);
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      throw new AigwError('AIGW_USAGE', '', { exitCode: e.exitCode ?? 1 });
    }
    throw err;
  }
  return code;
}
