/**
 * Issues as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), for code
 * scanning (GitHub's upload-sarif action) and other tools that read it:
 *   one run; tool.driver.rules = every AIGW_* code with its hint, in the catalogue's order;
 *   one result per issue with its rule, level and physical location (file, line and column
 *   range; columns count UTF-16 code units, as aigw's positions do).
 * Tests validate the output against the official SARIF 2.1.0 JSON Schema.
 */
import { pathToFileURL } from 'node:url';
import type { Issue } from '../config/issues.js';
import { CODES, type ErrorCode } from '../errors.js';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const CODE_LIST = Object.keys(CODES) as ErrorCode[];

/** `AIGW_SHELL_VAR` → `ShellVar`: the rule's readable name. */
function ruleName(code: ErrorCode): string {
  return code.replace(/^AIGW_/, '').toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s: string, c: string) => c.toUpperCase());
}

/** A relative path as a URI reference (each segment percent-encoded); absolute paths as file: URIs. */
export function artifactUri(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed)) return pathToFileURL(file).href;
  return slashed.split('/').map(encodeURIComponent).join('/');
}

function region(issue: Issue): Record<string, number> | undefined {
  if (issue.line === undefined) return undefined;
  const r: Record<string, number> = { startLine: issue.line };
  if (issue.column !== undefined) r.startColumn = issue.column;
  if (issue.endLine !== undefined && issue.endColumn !== undefined) {
    r.endLine = issue.endLine;
    r.endColumn = issue.endColumn;
  }
  return r;
}

function result(issue: Issue): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ruleId: issue.code,
    ruleIndex: CODE_LIST.indexOf(issue.code),
    level: issue.severity === 'error' ? 'error' : 'warning',
    message: { text: issue.message },
  };
  if (issue.file !== undefined && issue.file !== '<stdin>') {
    const where = region(issue);
    out.locations = [{ physicalLocation: { artifactLocation: { uri: artifactUri(issue.file) }, ...(where ? { region: where } : {}) } }];
  }
  return out;
}

export function toSarif(issues: readonly Issue[], version: string): Record<string, unknown> {
  const rules = CODE_LIST.map((code) => ({
    id: code,
    name: ruleName(code),
    shortDescription: { text: CODES[code] },
    help: { text: CODES[code] },
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'aigw', version, semanticVersion: version, rules } },
        columnKind: 'utf16CodeUnits',
        results: issues.map(result),
      },
    ],
  };
}
