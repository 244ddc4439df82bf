import { isMap, isNode, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import type { ErrorCode } from '../errors.js';
import { renderEnv, type EnvOptions } from './env.js';
import type { Issue, Severity } from './issues.js';
import { deepOffset, documentValue, duplicateKeys, structureProblem, TOO_DEEP } from './structure.js';

export type JsonPath = Array<string | number>;

const JSON_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * One input file: its original text, the env-rendered text that was parsed, and the parsed
 * document. Positions are computed lazily, only for issues, and always point into the original
 * text (templating and multi-file merges do not shift them).
 */
export class SourceFile {
  readonly name: string;
  readonly original: string;
  readonly rendered: string;
  readonly doc: Document.Parsed;
  readonly issues: Issue[] = [];
  /** Values substituted from the environment (masking). */
  readonly envValues: string[];
  private readonly toOriginal: (offset: number) => number;
  private lineStarts: number[] | null = null;

  constructor(name: string, text: string, env: EnvOptions) {
    this.name = name;
    this.original = text;
    const r = renderEnv(text, env);
    this.rendered = r.text;
    this.envValues = r.values;
    this.toOriginal = r.toOriginal;
    for (const e of r.issues) this.issues.push(this.issueAtOriginal(e.offset, 'error', e.code, e.message));
    // duplicate keys are found by duplicateKeys (linear), not by the parser (quadratic in a map's size)
    this.doc = parseDocument(this.rendered, { prettyErrors: false, uniqueKeys: false, keepSourceTokens: false });
    let deepReported = false;
    for (const e of this.doc.errors) {
      const deep = isStackOverflow(e.code, e.message);
      // the composer may overflow more than once on one deep structure: one issue says it
      if (deep && deepReported) continue;
      deepReported ||= deep;
      const offset = deep ? (deepOffset(this.rendered) ?? e.pos[0]) : e.pos[0];
      this.issues.push(this.issueAtRendered(offset, 'error', 'AIGW_SYNTAX', deep ? TOO_DEEP : parseMessage(e.code, e.message)));
    }
    for (const offset of duplicateKeys(this.doc)) {
      this.badKeys = true;
      this.issues.push(this.issueAtRendered(offset, 'error', 'AIGW_SYNTAX', 'duplicate key: Map keys must be unique'));
    }
    if (this.doc.errors.length === 0) this.checkStructure();
    if (!this.badStructure && !this.doc.errors.some((e) => isStackOverflow(e.code, e.message))) this.checkTags();
  }

  private badTags = false;
  private badKeys = false;
  private badStructure = false;

  /** Cycles (an alias inside its own anchor) and over-deep nesting: not a tree of JSON values. */
  private checkStructure(): void {
    const problem = structureProblem(this.doc);
    if (problem === null) return;
    this.badStructure = true;
    this.issues.push(this.issueAtRendered(problem.offset, 'error', 'AIGW_SYNTAX', problem.message));
  }

  /**
   * State files hold JSON values: YAML tags that make anything else (`!!binary`, `!!set`,
   * `!!timestamp`, custom `!tags`) are errors, not silently converted.
   */
  private checkTags(): void {
    visit(this.doc, (_key, node) => {
      if (!isNode(node) || node.tag === undefined || JSON_TAGS.has(node.tag)) return;
      this.badTags = true;
      const shown = node.tag.replace('tag:yaml.org,2002:', '!!');
      const valueAt = node.range ? node.range[0] : 0;
      const tagAt = this.rendered.lastIndexOf(shown, valueAt);
      const offset = tagAt >= 0 && this.rendered.slice(tagAt + shown.length, valueAt).trim() === '' ? tagAt : valueAt;
      this.issues.push(this.issueAtRendered(offset, 'error', 'AIGW_SYNTAX', `unsupported YAML tag ${shown}: state files hold plain JSON values`));
    });
  }

  /** The parsed value, or undefined when the document has syntax errors. */
  value(): unknown {
    return this.doc.errors.length > 0 || this.badTags || this.badStructure || this.badKeys ? undefined : documentValue(this.doc);
  }

  private position(originalOffset: number): { line: number; column: number; sourceLine: string } {
    if (this.lineStarts === null) {
      const starts = [0];
      for (let i = 0; i < this.original.length; i++) if (this.original.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= originalOffset) lo = mid;
      else hi = mid - 1;
    }
    const lineEnd = this.original.indexOf('\n', starts[lo]);
    const sourceLine = this.original.slice(starts[lo], lineEnd === -1 ? undefined : lineEnd).replace(/\r$/, '');
    return { line: lo + 1, column: originalOffset - starts[lo] + 1, sourceLine };
  }

  issueAtOriginal(offset: number, severity: Severity, code: ErrorCode, message: string, path?: JsonPath, endOffset?: number): Issue {
    const start = this.position(offset);
    const issue: Issue = { severity, code, message, file: this.name, ...start, ...(path ? { path } : {}) };
    if (endOffset !== undefined && endOffset > offset) {
      const end = this.position(endOffset);
      issue.endLine = end.line;
      issue.endColumn = end.column;
    }
    return issue;
  }

  issueAtRendered(offset: number, severity: Severity, code: ErrorCode, message: string, path?: JsonPath, endOffset?: number): Issue {
    const clamp = (o: number) => this.toOriginal(Math.min(o, this.rendered.length));
    return this.issueAtOriginal(clamp(offset), severity, code, message, path, endOffset === undefined ? undefined : clamp(endOffset));
  }

  /**
   * Offset (in the rendered text) of the value at `path`, or of its key when `at` is 'key'. Falls back
   * to the nearest existing ancestor, so a missing field points at the object that lacks it.
   */
  offsetOf(path: JsonPath, at: 'key' | 'value' = 'value'): number {
    return this.rangeOf(path, at).start;
  }

  /** Where the key or value at `path` starts and, when it exists itself, where it ends. */
  private rangeOf(path: JsonPath, at: 'key' | 'value'): { start: number; end?: number } {
    let node: unknown = this.doc.contents;
    let best = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return { start: best };
        if (last && at === 'key') return { start: rangeStart(pair.key) ?? best, end: rangeEnd(pair.key) };
        node = pair.value;
        best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        best = rangeStart(node) ?? best;
      } else {
        return { start: best };
      }
    }
    return { start: best, end: rangeEnd(node) };
  }

  issueAt(path: JsonPath, at: 'key' | 'value', severity: Severity, code: ErrorCode, message: string): Issue {
    const { start, end } = this.rangeOf(path, at);
    return this.issueAtRendered(start, severity, code, message, path, end);
  }
}

/** The parser's message without its position (the issue has one). */
function parseMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return `duplicate key: ${message.replace(/ at line.*$/s, '')}`;
  return message.replace(/ at line \d+, column \d+.*$/s, '');
}

/** The YAML composer ran out of stack: the text nests far too deep. */
const isStackOverflow = (code: string, message: string): boolean => code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(message);

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

/** End of a node's value (exclusive), not counting a trailing comment or line break. */
function rangeEnd(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[1] : undefined;
}
