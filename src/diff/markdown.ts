/**
 * A plan as a GitHub/GitLab comment (`aigw diff --format markdown`):
 *
 *   <!-- aigw diff -->
 *   ### aigw diff: 1 to create, 1 to update, 0 to delete
 *   | kind | create | update | delete |        one row per kind, and the totals
 *   <details><summary>update plugin …</summary>  one collapsible section per changed entity,
 *   ```diff                                      with the field lines of value-diff.ts
 *   ! config.prompts.prepend[0].content: "… [-politely-]{+briefly+} …"
 *   ```
 *   </details>
 *   warnings, and a note on masked secrets
 *
 * The whole comment stays under `limit` characters (GitHub refuses comments over 65,536): long
 * sections are cut with a count of the lines left out, and sections that do not fit are counted
 * instead of shown. Secrets are masked exactly as in the text output, old values included.
 */
import { KIND_BY_NAME } from '../config/kinds.js';
import type { Lookup } from './identity.js';
import type { Op } from './plan.js';
import { formatLine, NO_PAINT, opHeadline, opLines, type LineStyle } from './render.js';
import { MASK, type MaskOptions } from './secrets.js';

export interface MarkdownOptions extends MaskOptions {
  /** Warning lines (loading issues, aigw extensions a real Kong rejects). */
  warnings?: readonly string[];
  /** Character budget of the whole comment. */
  limit?: number;
  /** Lines of one entity's diff before it is cut. */
  maxLines?: number;
}

/** GitHub's limit is 65,536 characters; this leaves room for whatever a bot adds around it. */
export const MARKDOWN_LIMIT = 60_000;
const MAX_LINES = 200;
const MAX_LINE_LENGTH = 1_000;
const MAX_WARNINGS = 50;
/** The first line of every comment: lets a bot find and update its previous comment. */
export const MARKER = '<!-- aigw diff -->';

const STYLE: LineStyle = { paint: NO_PAINT, changedSign: '!', signFirst: true };
const ACTIONS = ['create', 'update', 'delete'] as const;

const escapeHtml = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A fence longer than any run of backticks inside the block. */
function fenced(lang: string, lines: readonly string[]): string {
  const longest = Math.max(0, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...lines, fence].join('\n');
}

function clip(line: string): string {
  return line.length <= MAX_LINE_LENGTH ? line : `${line.slice(0, MAX_LINE_LENGTH)}… (${line.length - MAX_LINE_LENGTH} more characters)`;
}

function summaryTable(ops: readonly Op[]): string {
  const rows = new Map<string, Record<(typeof ACTIONS)[number], number>>();
  for (const op of ops) {
    const kind = KIND_BY_NAME[op.kind].singular;
    const row = rows.get(kind) ?? { create: 0, update: 0, delete: 0 };
    row[op.action]++;
    rows.set(kind, row);
  }
  const total = { create: 0, update: 0, delete: 0 };
  const lines = ['| kind | create | update | delete |', '|---|---:|---:|---:|'];
  for (const [kind, row] of rows) {
    lines.push(`| ${kind} | ${row.create} | ${row.update} | ${row.delete} |`);
    for (const a of ACTIONS) total[a] += row[a];
  }
  lines.push(`| **total** | **${total.create}** | **${total.update}** | **${total.delete}** |`);
  return lines.join('\n');
}

interface Section {
  text: string;
  /** The same section cut to its first lines, for when the whole one does not fit. */
  cut(lines: number): string;
}

function section(op: Op, lookup: Lookup, options: MarkdownOptions): Section {
  const [verb, ...rest] = opHeadline(op, lookup, options).split(' ');
  const summary = `<details><summary><b>${verb}</b> ${escapeHtml(rest.join(' '))}</summary>`;
  const lines = opLines(op, lookup, options, true).map((l) => clip(formatLine(l, STYLE)));
  const build = (keep: number): string => {
    const shown = lines.slice(0, keep);
    if (lines.length > keep) shown.push(`# … ${plural(lines.length - keep, 'more line')} not shown (aigw diff prints them all)`);
    return [summary, '', fenced('diff', shown), '', '</details>'].join('\n');
  };
  const max = options.maxLines ?? MAX_LINES;
  return { text: build(max), cut: (n) => build(Math.min(n, max)) };
}

function warningsBlock(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  const shown = warnings.slice(0, MAX_WARNINGS).map((w) => (w.length <= 300 ? w : `${w.slice(0, 300)}…`));
  if (warnings.length > MAX_WARNINGS) shown.push(`… ${plural(warnings.length - MAX_WARNINGS, 'more warning')} (aigw diff prints them all)`);
  return [`<details><summary>⚠️ ${plural(warnings.length, 'warning')}</summary>`, '', fenced('text', shown), '', '</details>'].join('\n');
}

function secretNote(masked: number): string {
  return masked > 0
    ? `<sub>🔒 ${plural(masked, 'line')} above show secrets as \`${MASK}\`, old values included; aigw never prints secrets in this format.</sub>`
    : `<sub>🔒 Secrets (credentials, env values, secret plugin fields) are always shown as \`${MASK}\`.</sub>`;
}

function leftOut(ops: readonly Op[]): string {
  const counts = new Map<string, number>();
  for (const op of ops) counts.set(KIND_BY_NAME[op.kind].singular, (counts.get(KIND_BY_NAME[op.kind].singular) ?? 0) + 1);
  const what = [...counts].map(([kind, n]) => plural(n, kind)).join(', ');
  const entities = ops.length === 1 ? '1 more changed entity' : `${ops.length} more changed entities`;
  return `**${entities} not shown** to stay under GitHub's comment size limit (${what}); run \`aigw diff\` for the whole plan.`;
}

/** The plan as one Markdown comment, at most `limit` characters long. */
export function renderMarkdown(ops: readonly Op[], lookup: Lookup, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? MARKDOWN_LIMIT;
  const counts = { create: 0, update: 0, delete: 0 };
  for (const op of ops) counts[op.action]++;
  const title = ops.length === 0
    ? '### aigw diff: no changes'
    : `### aigw diff: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete`;
  const head = ops.length === 0 ? [MARKER, title, '', 'The gateway already matches the state files.'] : [MARKER, title, '', summaryTable(ops)];
  const warnings = warningsBlock(options.warnings ?? []);
  // the note is sized for the largest count it can show
  const tail = (rest: readonly Op[], masked: number) => [rest.length > 0 ? leftOut(rest) : '', warnings, secretNote(masked)].filter((t) => t !== '').join('\n\n');
  const parts = [head.join('\n')];
  let used = parts[0].length + tail([], ops.length * 1000).length + 4;
  let shown = 0;
  let masked = 0;
  // room for the "N more not shown" line, should a later section not fit (its longest form)
  const reserve = ops.length > 1 ? leftOut(ops.slice(1)).length + 2 : 0;
  for (; shown < ops.length; shown++) {
    const room = limit - used - reserve - 2;
    const sec = section(ops[shown], lookup, options);
    let text = sec.text;
    for (let keep = options.maxLines ?? MAX_LINES; text.length > room && keep > 5; keep = Math.floor(keep / 2)) text = sec.cut(keep);
    if (text.length > room) break;
    parts.push(text);
    used += text.length + 2;
    masked += text.split('\n').filter((l) => l.includes(MASK)).length;
  }
  parts.push(tail(ops.slice(shown), masked));
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}
