/**
 * The routes of a Runtime: expression routes first (Kong's expressions flavor ranks every
 * expression route above the traditional ones: kong/router/transform.lua gives them the
 * EXPRESSION_ONLY_BIT priority), then the traditional router (router.ts) for the other routes.
 */
import type { Entity } from '../config/state.js';
import { compileExpressionRoute, ExpressionRoutes, isExpressionRoute } from './expression-router.js';
import { compileRoute, Router, type CompiledRoute, type RouteMatch, type RouterRequest } from './router.js';

/** What the pipeline and the status pages need of a router. */
export interface RouteMatcher {
  readonly routes: readonly CompiledRoute[];
  match(req: RouterRequest): RouteMatch | null;
}

export class Routing implements RouteMatcher {
  readonly routes: readonly CompiledRoute[];
  private readonly expressions: ExpressionRoutes | null;
  private readonly traditional: Router;

  constructor(entities: readonly Entity[]) {
    const expr = entities.filter(isExpressionRoute);
    this.expressions = expr.length > 0 ? new ExpressionRoutes(expr) : null;
    this.traditional = new Router(expr.length > 0 ? entities.filter((e) => !isExpressionRoute(e)) : entities);
    this.routes = this.expressions ? [...this.expressions.compiled.map((c) => c.route), ...this.traditional.routes] : this.traditional.routes;
  }

  match(req: RouterRequest): RouteMatch | null {
    return this.expressions?.match(req) ?? this.traditional.match(req);
  }
}

/** Compile one route of either kind (throws when it does not compile). */
export function compileAnyRoute(e: Entity): void {
  if (isExpressionRoute(e)) compileExpressionRoute(e);
  else compileRoute(e);
}
