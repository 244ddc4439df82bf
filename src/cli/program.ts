import { Command as Commander, Option } from 'commander';
import { COMMANDS } from '../commands/index.js';
import type { Command } from '../commands/types.js';
import { processIo } from './io.js';
import { AigwError } from '../errors.js';

import { VERSION } from '../version.js';

export { VERSION };

/** Options every command accepts. Values may also come from the named environment variables. */
export const GLOBAL_OPTIONS = [
  { flags: '--no-color', description: 'disable colours (also NO_COLOR=1)' },
] as const;

function register(program: Commander, cmd: Command, onRun: (code: number) => void): void {
  const sub = program.command(cmd.name).description(cmd.summary);
  if (cmd.args) sub.argument(cmd.args);
  for (const spec of cmd.options) {
    const opt = new Option(spec.flags, spec.description);
    if (spec.default !== undefined) opt.default(spec.default);
    if (spec.env) opt.env(spec.env);
    if (spec.parse) opt.argParser(spec.parse);
    sub.addOption(opt);
  }
  for (const g of GLOBAL_OPTIONS) sub.option(g.flags, g.description);
  if (cmd.examples?.length) sub.addHelpText('after', `\nExamples:\n${cmd.examples.map((e) => `  $ ${e}`).join('\n')}`);
  sub.action(async (...params: unknown[]) => {
    const self = params[params.length - 1] as Commander;
    const opts = self.opts();
    const args = self.processedArgs.flat().filter((a): a is string => typeof a === 'string');
    const io = processIo({ color: opts.color !== false });
    onRun(await cmd.run({ args, opts }, io));
  });
}

/**
 * Parse argv and run the chosen command. Only the invoked command's module is imported.
 * Returns the exit code; throws AigwError for usage problems.
 */
export async function runCli(argv: string[]): Promise<number> {
  const program = new Commander('aigw')
    .description('AI gateway configuration as code for Kong: validate, diff, sync, serve')
    .version(VERSION, '-V, --version')
    .option('--no-color', 'disable colours (also NO_COLOR=1)')
    .showHelpAfterError()
    .exitOverride();
  let code = 0;
  const words = argv.slice(2);
  const name = words.find((w) => !w.startsWith('-'));
  const wanted = name !== undefined && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  if (name === undefined || !(name in COMMANDS)) {
    // help, --version, or an unknown command: list every command without loading them
    for (const [n, entry] of Object.entries(COMMANDS)) program.command(n).description(entry.summary);
  } else {
    for (const n of wanted) register(program, await COMMANDS[n].load(), (c) => (code = c));
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
