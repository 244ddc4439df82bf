/**
 * The routes of a Runtime: expression routes first (Kong's expressions flavor ranks every
 * expression route above the traditional ones: kong/router/transform.lua gives them the
 * EXPRESSION_ONLY_BIT priority), then the traditional router (router.ts) for the other routes.
 */
import type { Entity } from '../config/state.js';
import { compileExpressionRoute, ExpressionRoutes, isExpressionRoute } from './expression-router.js';
import { compileRoute, type CompiledRoute, type RouteMatch, type RouterRequest } from './route-match.js';
import { Router } from './router.js';
import { runAtOnce, type Steps } from './time-slices.js';

/** What the pipeline and the status pages need of a router. */
export interface RouteMatcher {
  readonly routes: readonly CompiledRoute[];
  match(req: RouterRequest): RouteMatch | null;
}

export class Routing implements RouteMatcher {
  readonly routes: readonly CompiledRoute[];
  private readonly expressions: ExpressionRoutes | null;
  private readonly traditional: Router;

  /** The routing of `entities`, built at once (`Routing.build`: the same in steps). */
  constructor(entities: readonly Entity[]);
  constructor(expressions: ExpressionRoutes | null, traditional: Router);
  constructor(...args: [readonly Entity[]] | [ExpressionRoutes | null, Router]) {
    const [expressions, traditional] = args.length === 1 ? runAtOnce(Routing.parts(args[0])) : args;
    this.expressions = expressions;
    this.traditional = traditional;
    this.routes = expressions ? [...expressions.compiled.map((c) => c.route), ...traditional.routes] : traditional.routes;
  }

  /** The routing of `entities` in steps (`Router.build`'s; a reload runs them in time slices). */
  static *build(entities: readonly Entity[]): Steps<Routing> {
    const [expressions, traditional] = yield* Routing.parts(entities);
    return new Routing(expressions, traditional);
  }

  private static *parts(entities: readonly Entity[]): Steps<[ExpressionRoutes | null, Router]> {
    const expr = entities.filter(isExpressionRoute);
    const expressions = expr.length > 0 ? new ExpressionRoutes(expr) : null;
    if (expressions !== null) yield;
    const traditional = yield* Router.build(expr.length > 0 ? entities.filter((e) => !isExpressionRoute(e)) : entities);
    return [expressions, traditional];
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
