/**
 * decK-compatible env templating: `${{ env "AIGW_NAME" }}` with optional pipes `toBool`, `toInt`,
 * `toFloat`, `indent N`. Rendering happens on the raw text, before YAML parsing; an offset map
 * lets every later position point back into the original text.
 */

export interface EnvIssue {
  code: 'AIGW_ENV_UNSET' | 'AIGW_ENV_PREFIX' | 'AIGW_ENV_TEMPLATE';
  message: string;
  /** Offset of the template in the original text. */
  offset: number;
}

/** One replaced template: [start, end) in the original text → [outStart, outEnd) in the rendered text. */
interface Segment {
  start: number;
  end: number;
  outStart: number;
  outEnd: number;
}

export interface Rendered {
  text: string;
  issues: EnvIssue[];
  /** Values substituted from the environment (for masking); empty in mock mode. */
  values: string[];
  /** Map an offset in the rendered text to the original text. */
  toOriginal(offset: number): number;
}

export interface EnvOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Validate without secrets: value := variable name, booleans false, numbers 42 (as `deck file render`). */
  mock?: boolean;
}

const TEMPLATE = /\$\{\{(.*?)\}\}/g;
const ENV_CALL = /^\s*env\s+"([^"]*)"\s*((?:\|\s*[A-Za-z]+(?:\s+\d+)?\s*)*)$/;
const PREFIXES = ['AIGW_', 'DECK_'];

function isCommentLine(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^\s*#/.test(text.slice(lineStart, offset + 1));
}

function applyPipe(value: string, pipe: string, mock: boolean): string | { error: string } {
  const [fn, arg] = pipe.trim().split(/\s+/);
  switch (fn) {
    case 'toBool': {
      if (mock) return 'false';
      const v = value.trim().toLowerCase();
      if (['true', '1', 't', 'yes'].includes(v)) return 'true';
      if (['false', '0', 'f', 'no', ''].includes(v)) return 'false';
      return { error: `cannot convert '${value}' to a boolean (toBool)` };
    }
    case 'toInt': {
      if (mock) return '42';
      if (!/^\s*-?\d+\s*$/.test(value)) return { error: `cannot convert '${value}' to an integer (toInt)` };
      return String(parseInt(value, 10));
    }
    case 'toFloat': {
      if (mock) return '42';
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) return { error: `cannot convert '${value}' to a number (toFloat)` };
      return String(n);
    }
    case 'indent': {
      const n = Number(arg);
      if (!Number.isInteger(n) || n < 0) return { error: `indent needs a number of spaces, got '${arg ?? ''}'` };
      const pad = ' '.repeat(n);
      return value.split('\n').map((l) => pad + l).join('\n');
    }
    default:
      return { error: `unknown pipe '${fn}' (supported: toBool, toInt, toFloat, indent N)` };
  }
}

type Expansion = { value: string; secret: boolean } | { issue: Omit<EnvIssue, 'offset'> };

function expand(expr: string, opts: EnvOptions): Expansion {
  const m = ENV_CALL.exec(expr);
  if (!m) return { issue: { code: 'AIGW_ENV_TEMPLATE', message: `cannot parse template \${{${expr}}}: expected \${{ env "AIGW_NAME" }}` } };
  const name = m[1];
  if (!PREFIXES.some((p) => name.startsWith(p))) {
    return { issue: { code: 'AIGW_ENV_PREFIX', message: `environment variables in the state file must be prefixed with 'AIGW_' or 'DECK_', found: '${name}'` } };
  }
  const raw = opts.mock ? name : opts.env[name];
  if (raw === undefined) {
    return { issue: { code: 'AIGW_ENV_UNSET', message: `environment variable '${name}' present in state file but not set` } };
  }
  let value = raw;
  for (const pipe of m[2].split('|').map((p) => p.trim()).filter(Boolean)) {
    const out = applyPipe(value, pipe, Boolean(opts.mock));
    if (typeof out !== 'string') return { issue: { code: 'AIGW_ENV_TEMPLATE', message: `${name}: ${out.error}` } };
    value = out;
  }
  return { value, secret: !opts.mock };
}

export function renderEnv(text: string, opts: EnvOptions): Rendered {
  const segments: Segment[] = [];
  const issues: EnvIssue[] = [];
  const values: string[] = [];
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TEMPLATE)) {
    const start = m.index ?? 0;
    if (isCommentLine(text, start)) continue;
    const result = expand(m[1], opts);
    let value: string;
    if ('issue' in result) {
      issues.push({ ...result.issue, offset: start });
      value = '';
    } else {
      value = result.value;
      if (result.secret && value !== '') values.push(value);
    }
    out += text.slice(last, start);
    segments.push({ start, end: start + m[0].length, outStart: out.length, outEnd: out.length + value.length });
    out += value;
    last = start + m[0].length;
  }
  if (segments.length === 0) return { text, issues, values, toOriginal: (o) => o };
  out += text.slice(last);
  return {
    text: out,
    issues,
    values,
    toOriginal(offset) {
      let delta = 0;
      for (const s of segments) {
        if (offset < s.outStart) break;
        if (offset < s.outEnd || (offset === s.outEnd && s.outEnd === s.outStart)) return s.start;
        delta = s.end - s.outEnd;
      }
      return offset + delta;
    },
  };
}

const SHELL_VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Z][A-Z0-9_]{2,})\b/;

/**
 * A value that looks like an unexpanded shell variable (`Bearer $OPENAI_API_KEY`,
 * `${MISTRAL_API_KEY}`): returns the advice to print, or null.
 */
export function shellVariableAdvice(value: string): string | null {
  const m = SHELL_VAR.exec(value);
  if (!m) return null;
  const name = m[1] ?? m[2];
  const envName = /^(AIGW|DECK)_/.test(name) ? name : `AIGW_${name}`;
  const vault = name.toLowerCase().replace(/_/g, '-');
  return `'${m[0]}' looks like an unexpanded shell variable; state files are not shell-expanded. Write \${{ env "${envName}" }} (rendered when the file is loaded) or {vault://env/${vault}} (resolved by the gateway at run time)`;
}
