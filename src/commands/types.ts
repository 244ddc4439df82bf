import type { Io } from '../cli/io.js';

/** One command-line option, in commander's flag syntax. */
export interface OptionSpec {
  flags: string;
  description: string;
  default?: string | boolean | number | string[];
  /** Environment variable that supplies the value when the flag is absent. */
  env?: string;
  /** Parser for the raw string value (e.g. parseInt). */
  parse?: (value: string, previous: unknown) => unknown;
  /** Left out of --help (aliases kept for earlier spellings). */
  hidden?: boolean;
}

export interface CommandInput {
  /** Positional arguments (e.g. state files). */
  args: string[];
  /** Parsed options, camelCased by commander. */
  opts: Record<string, unknown>;
  /** Where each option's value came from; absent keys: not set at all. Tests may leave it out (= cli). */
  sources?: Readonly<Record<string, 'cli' | 'env' | 'default'>>;
}

/**
 * A command is a function `run(input, io) → exit code`. It never calls process.exit and never
 * writes to the console directly; `bin/aigw.ts` owns both.
 */
export interface Command {
  name: string;
  summary: string;
  /** commander argument syntax, e.g. '[files...]'. */
  args?: string;
  options: OptionSpec[];
  /** Extra help text shown after the options. */
  examples?: string[];
  /** Paragraphs shown in --help before the examples (e.g. where aigw differs from decK on purpose). */
  notes?: string[];
  run(input: CommandInput, io: Io): Promise<number>;
}
