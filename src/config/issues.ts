import type { ErrorCode } from '../errors.js';

export type Severity = 'error' | 'warning';

/** One problem found in the input, located in the original source text. */
export interface Issue {
  severity: Severity;
  code: ErrorCode;
  message: string;
  /** Display name of the file (`<stdin>` for standard input). */
  file?: string;
  /** 1-based line and column in the original (un-templated) text. */
  line?: number;
  column?: number;
  /** End of the offending key or value, when known: 1-based, the column just after its last character. */
  endLine?: number;
  endColumn?: number;
  /** JSON path of the offending key or value inside the file. */
  path?: Array<string | number>;
  /** The source line, for the excerpt on a TTY. */
  sourceLine?: string;
}

export interface FormatOptions {
  color?: (kind: 'error' | 'warning' | 'dim' | 'code', text: string) => string;
  excerpt?: boolean;
}

const plain = (_k: string, t: string) => t;

/** `file:line:col  error|warning  AIGW_CODE  message`, optionally followed by a source excerpt. */
export function formatIssue(issue: Issue, opts: FormatOptions = {}): string {
  const paint = opts.color ?? plain;
  const where = issue.file === undefined ? '-' : `${issue.file}${issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`}`;
  const sev = paint(issue.severity, issue.severity.padEnd(7));
  let text = `${where}  ${sev}  ${paint('code', issue.code)}  ${issue.message}`;
  if (opts.excerpt && issue.sourceLine !== undefined && issue.line !== undefined) {
    const gutter = String(issue.line);
    const caret = ' '.repeat(Math.max(0, (issue.column ?? 1) - 1)) + '^';
    text += `\n${paint('dim', `  ${gutter} | `)}${issue.sourceLine}\n${paint('dim', `  ${' '.repeat(gutter.length)} | `)}${paint(issue.severity, caret)}`;
  }
  return text;
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** Stable order: by file, line, column, then code. */
export function sortIssues(issues: Issue[]): Issue[] {
  return issues.sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code),
  );
}
