/**
 * Kong's checks of the ATC expressions an entity holds: a route's `expression` (routes.lua's
 * validate_route, message `Router Expression failed validation: <atc-router's message>`) and a
 * plugin's `condition` (Kong 3.14), checked against the plugin-condition fields.
 */
import { checkExpression, CONDITION_FIELDS, ROUTE_EXPRESSION_PREFIX, routeSchema } from '../../expressions/check.js';

export interface ExpressionProblem {
  path: Array<string | number>;
  message: string;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** A route's expression problem, or null. */
export function routeExpressionProblem(route: Readonly<Record<string, unknown>>): ExpressionProblem | null {
  if (!nonEmpty(route.expression)) return null;
  const r = checkExpression(route.expression, routeSchema(route.protocols));
  return 'error' in r ? { path: ['expression'], message: ROUTE_EXPRESSION_PREFIX + r.error } : null;
}

/** A plugin's condition problem, or null. */
export function pluginConditionProblem(plugin: Readonly<Record<string, unknown>>): ExpressionProblem | null {
  if (!nonEmpty(plugin.condition)) return null;
  const r = checkExpression(plugin.condition, CONDITION_FIELDS);
  return 'error' in r ? { path: ['condition'], message: `condition failed validation: ${r.error}` } : null;
}
