/**
 * Issues as GitHub Actions workflow commands, which the runner turns into annotations on the
 * pull request's changed lines:
 *
 *   ::error file=kong.yaml,line=12,col=26,endLine=12,endColumn=30,title=aigw AIGW_TYPE::expected an array
 *
 * The message ("data") escapes `%`, CR and LF; property values also escape `:` and `,`, exactly as
 * @actions/core does (a raw newline would end the command, a raw comma would start a property).
 */
import type { Issue } from '../config/issues.js';
import { hintFor } from '../errors.js';

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export type CommandProperties = Record<string, string | number | undefined>;

/** `::name key=value,…::message`; properties without a value are left out. */
export function workflowCommand(name: string, properties: CommandProperties, message: string): string {
  const props = Object.entries(properties)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${props === '' ? '' : ` ${props}`}::${escapeData(message)}`;
}

/**
 * Location properties: GitHub takes `col`/`endColumn` only when the annotation is on one line,
 * and its `endColumn` is the last column (ours is the one after it).
 */
function location(issue: Issue): CommandProperties {
  if (issue.file === undefined || issue.file === '<stdin>') return {};
  const file = issue.file.replace(/\\/g, '/');
  if (issue.line === undefined) return { file };
  const oneLine = issue.endLine === issue.line && issue.endColumn !== undefined && issue.column !== undefined && issue.endColumn - 1 >= issue.column;
  return oneLine
    ? { file, line: issue.line, col: issue.column, endLine: issue.line, endColumn: (issue.endColumn ?? 1) - 1 }
    : { file, line: issue.line, col: issue.column };
}

/** One annotation per issue: errors as `::error`, warnings as `::warning`, the hint on a second line. */
export function issueCommand(issue: Issue): string {
  const name = issue.severity === 'error' ? 'error' : 'warning';
  return workflowCommand(name, { ...location(issue), title: `aigw ${issue.code}` }, `${issue.message}\n${hintFor(issue.code)}`);
}

export function githubAnnotations(issues: readonly Issue[]): string {
  return issues.map(issueCommand).join('\n');
}
