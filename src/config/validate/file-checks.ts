import { isMap, isPair, isScalar, isSeq, visit, type Node } from 'yaml';
import { shellVariableAdvice } from '../env.js';
import { schemas } from '../schemas.js';
import { mapAjvErrors } from './schema-errors.js';
import { isObj, type Obj } from '../collect.js';
import type { Issue } from '../issues.js';
import type { SourceFile } from '../source.js';

/**
 * Checks on one parsed file before merging: shape, `_format_version`, `_transform`,
 * `_info.defaults`, the whole-file JSON Schema, and values that look like shell variables.
 * Returns the content when it can be merged.
 */
export function checkFile(file: SourceFile, issues: Issue[], opts: { legacyFormatVersion?: boolean } = {}): Obj | null {
  let value: unknown;
  try {
    value = file.value();
  } catch (err) {
    issues.push(...unresolvedAliases(file, err));
    return null;
  }
  if (value === undefined) return null; // syntax errors already reported
  if (/\.json$/i.test(file.name) && !strictJson(file, issues)) return null;
  if (value === null || (typeof value === 'string' && value.trim() === '')) {
    issues.push(file.issueAtOriginal(0, 'error', 'AIGW_EMPTY_CONFIG', 'file is empty; refusing empty content (it would delete every entity on sync)'));
    return null;
  }
  if (!isObj(value)) {
    issues.push(file.issueAt([], 'value', 'error', 'AIGW_SYNTAX', 'a state file must be a mapping with _format_version and entity lists'));
    return null;
  }
  const version = value._format_version;
  if (version === undefined) {
    issues.push(file.issueAtOriginal(0, 'error', 'AIGW_FORMAT_VERSION', "'_format_version' is required: add _format_version: \"3.0\""));
  } else if (version === '1.1' || version === '2.1' || version === 1.1 || version === 2.1) {
    // decK's validate checks a 2.x-format file's entities as written; only sync/diff/apply refuse it (cmd/common.go)
    const convert = 'convert the file (deck file convert --from kong-gateway-2.x --to kong-gateway-3.x) and set _format_version: "3.0"';
    issues.push(opts.legacyFormatVersion === true
      ? file.issueAt(['_format_version'], 'value', 'warning', 'AIGW_FORMAT_VERSION', `'${String(version)}' is a Kong 2.x config format version: its entities are validated as written, but sync and diff refuse it against Kong 3.0 or above; ${convert}`)
      : file.issueAt(['_format_version'], 'value', 'error', 'AIGW_FORMAT_VERSION', `cannot apply '${String(version)}' config format version to Kong 3.0 or above; ${convert}`));
  } else if (version !== '3.0' && version !== 3) {
    issues.push(file.issueAt(['_format_version'], 'value', 'error', 'AIGW_FORMAT_VERSION', `unsupported _format_version '${String(version)}': expected "3.0"`));
  }
  if (value._transform === false) {
    issues.push(file.issueAt(['_transform'], 'value', 'error', 'AIGW_TRANSFORM', '_transform: false is not supported'));
  }
  checkInfoDefaults(file, value, issues);
  const validate = schemas().fileValidator();
  if (!validate({ ...value, _format_version: typeof version === 'number' ? String(version) : version })) {
    for (const p of mapAjvErrors(validate.errors ?? [])) {
      if (p.path[0] === '_format_version' || (p.code === 'AIGW_REQUIRED' && p.message.startsWith('_format_version:'))) continue;
      if (p.path[0] === '_info' && p.path[1] === 'defaults' && RESTRICTED_DEFAULTS.includes(String(p.path[3]))) continue;
      issues.push(file.issueAt(p.path, p.at, 'error', p.code, p.message));
    }
  }
  warnShellVariables(file, issues);
  return value;
}

/** `toJS` throws on an alias (`*name`) whose anchor (`&name`) is not defined before it. */
function unresolvedAliases(file: SourceFile, err: unknown): Issue[] {
  const out: Issue[] = [];
  visit(file.doc, {
    Alias(_key, node) {
      if (node.resolve(file.doc) === undefined && node.range) {
        out.push(file.issueAtRendered(node.range[0], 'error', 'AIGW_SYNTAX', `unresolved alias *${node.source}: define the anchor &${node.source} before using it`));
      }
    },
  });
  if (out.length === 0) out.push(file.issueAtOriginal(0, 'error', 'AIGW_SYNTAX', `cannot read the document: ${(err as Error).message}`));
  return out;
}

const RESTRICTED_DEFAULTS = ['id', 'name', 'target'];

function checkInfoDefaults(file: SourceFile, value: Obj, issues: Issue[]): void {
  const defaults = isObj(value._info) && isObj(value._info.defaults) ? value._info.defaults : null;
  if (!defaults) return;
  for (const [kind, d] of Object.entries(defaults)) {
    if (!isObj(d)) continue;
    const bad = RESTRICTED_DEFAULTS.filter((f) => f in d);
    if (bad.length > 0) {
      issues.push(file.issueAt(['_info', 'defaults', kind, bad[0]], 'key', 'error', 'AIGW_VALUE', `${kind} defaults cannot have these restricted fields set: ${bad.join(', ')}`));
    }
  }
}

/** Walk the YAML nodes (not the JS value) so each warning points at its scalar. */
function warnShellVariables(file: SourceFile, issues: Issue[]): void {
  const visit = (node: Node | null | undefined | unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) visit(pair.value);
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    } else if (isScalar(node) && typeof node.value === 'string') {
      const advice = shellVariableAdvice(node.value);
      if (advice && node.range) issues.push(file.issueAtRendered(node.range[0], 'warning', 'AIGW_SHELL_VAR', advice, undefined, node.range[1]));
    }
  };
  visit(file.doc.contents);
}

/** YAML accepts some things JSON does not (trailing commas, comments): hold .json files to JSON. */
function strictJson(file: SourceFile, issues: Issue[]): boolean {
  try {
    JSON.parse(file.rendered);
    return true;
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    const text = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^Unexpected token/, 'unexpected token');
    issues.push(file.issueAtRendered(at ? Number(at[1]) : 0, 'error', 'AIGW_SYNTAX', `invalid JSON: ${text}`));
    return false;
  }
}
