import { Chalk, type ChalkInstance } from 'chalk';

/** A progress indicator: a spinner on a TTY, plain lines otherwise (CI logs stay readable). */
export interface Progress {
  update(text: string): void;
  /** Stop and print a final line (to stderr). */
  done(text?: string): void;
}

/**
 * Everything a command may touch in its surroundings. Commands never use `process` or `console`
 * directly; tests build an Io over buffers.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colour helpers; a no-colour instance when colour is off. */
  readonly c: ChalkInstance;
  readonly color: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readStdin(): Promise<string>;
  progress(text: string): Progress;
  /** Ask a yes/no question on the terminal; false when stdin is not a TTY. */
  confirm(question: string): Promise<boolean>;
}

export interface IoOptions {
  color?: boolean;
}

function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY;
}

/** The real terminal. */
export function processIo(options: IoOptions = {}): Io {
  const stdoutIsTTY = Boolean(process.stdout.isTTY);
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  const color = colorWanted(process.env, stdoutIsTTY, options.color);
  const c = new Chalk({ level: color ? 1 : 0 });
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    c,
    color,
    stdoutIsTTY,
    stderrIsTTY,
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    progress: (text) => (stderrIsTTY && color ? ttyProgress(text) : plainProgress(text, (t) => process.stderr.write(`${t}\n`))),
    confirm: async (question) => {
      if (!process.stdin.isTTY) return false;
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}

function plainProgress(text: string, write: (t: string) => void): Progress {
  write(text);
  let last = text;
  return {
    update(t) {
      if (t !== last) write(t);
      last = t;
    },
    done(t) {
      if (t !== undefined) write(t);
    },
  };
}

function ttyProgress(text: string): Progress {
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let current = text;
  let i = 0;
  const draw = () => process.stderr.write(`\r\x1b[2K${frames[i++ % frames.length]} ${current}`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    update(t) {
      current = t;
    },
    done(t) {
      clearInterval(timer);
      process.stderr.write('\r\x1b[2K');
      if (t !== undefined) process.stderr.write(`${t}\n`);
    },
  };
}

/** An Io over strings, for tests. */
export interface BufferIo extends Io {
  stdout(): string;
  stderr(): string;
}

export function bufferIo(init: { env?: Record<string, string | undefined>; cwd?: string; stdin?: string; color?: boolean; confirm?: boolean } = {}): BufferIo {
  let out = '';
  let err = '';
  const color = init.color ?? false;
  return {
    out: (t) => void (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void (err += t.endsWith('\n') ? t : `${t}\n`),
    c: new Chalk({ level: color ? 1 : 0 }),
    color,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: init.env ?? {},
    cwd: init.cwd ?? process.cwd(),
    readStdin: async () => init.stdin ?? '',
    progress: (text) => plainProgress(text, (t) => void (err += `${t}\n`)),
    confirm: async () => init.confirm ?? false,
    stdout: () => out,
    stderr: () => err,
  };
}
