/**
 * Kong's checks of the ATC expressions an entity holds: a route's `expression` (routes.lua's
 * validate_route, message `Router Expression failed validation: <atc-router's message>`) and a
 * plugin's `condition` (Kong 3.14), checked against the plugin-condition fields.
 */
import { checkExpression, CONDITION_FIELDS, ROUTE_EXPRESSION_PREFIX, routeSchema } from '../../expressions/check.js';
import type { Issue } from '../issues.js';

export interface ExpressionProblem {
  path: Array<string | number>;
  message: string;
  /** For a parse error: its offset in the expression. */
  offset?: number;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** A route's expression problem, or null. */
export function routeExpressionProblem(route: Readonly<Record<string, unknown>>): ExpressionProblem | null {
  if (!nonEmpty(route.expression)) return null;
  const r = checkExpression(route.expression, routeSchema(route.protocols));
  return 'error' in r ? { path: ['expression'], message: ROUTE_EXPRESSION_PREFIX + r.error, ...(r.parse ? { offset: r.parse.offset } : {}) } : null;
}

/** A plugin's condition problem, or null. */
export function pluginConditionProblem(plugin: Readonly<Record<string, unknown>>): ExpressionProblem | null {
  if (!nonEmpty(plugin.condition)) return null;
  const r = checkExpression(plugin.condition, CONDITION_FIELDS);
  return 'error' in r ? { path: ['condition'], message: `condition failed validation: ${r.error}`, ...(r.parse ? { offset: r.parse.offset } : {}) } : null;
}

/**
 * A file issue at the value of an expression, moved to the character a parse error names when
 * the value is written on one line and the file's text up to that character is the expression's
 * own (plain or quoted without escapes before it); else left at the value.
 */
export function atExpressionOffset(issue: Issue, expr: string, offset: number | undefined): Issue {
  if (offset === undefined || issue.sourceLine === undefined || issue.column === undefined || expr.includes('\n')) return issue;
  const text = issue.sourceLine.slice(issue.column - 1);
  const shift = text.startsWith("'") || text.startsWith('"') ? 1 : 0;
  if (text.slice(shift, shift + offset) !== expr.slice(0, offset)) return issue;
  return { ...issue, column: issue.column + shift + offset };
}
