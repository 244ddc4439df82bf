/**
 * `aigw validate` on expression routes and plugin conditions: what Kong refuses is an error at the
 * field's file:line:col with Kong's message; what Kong accepts validates without a warning.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';

function issues(yaml: string): string[] {
  const r = loadText(yaml, { env: {}, name: 'k.yaml' });
  return r.issues.map((i) => `${i.severity} ${i.line}:${i.column} ${i.message}`);
}

const file = (route: string, plugin = '') => `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:9/
    routes:
      - name: r
${route}
${plugin}`;

describe('validate: expression routes', () => {
  it('accepts an expression route with a priority, without warnings', () => {
    expect(issues(file(`        expression: 'http.path ^= "/api" && lower(http.headers.x_env) == "prod" && net.src.ip in 10.0.0.0/8'
        priority: 70368744177663`))).toEqual([]);
  });

  it("reports a syntax error at the character pest names, with pest's position and expectation", () => {
    expect(issues(file(`        expression: 'http.path ^= "/api" &&'`))).toEqual([
      'error 7:44 Router Expression failed validation: --> 1:23 = expected term',
    ]);
    // an escape before the error: the file's text is not the expression's, the value's position stays
    expect(issues(file(`        expression: "http.path ^= \\"/api\\" &&"`))).toEqual([
      'error 7:21 Router Expression failed validation: --> 1:23 = expected term',
    ]);
  });

  it('reports a type error and an ill-formed segments field with Kong\'s messages', () => {
    expect(issues(file(`        expression: http.method == 1`))).toEqual([
      'error 7:21 Router Expression failed validation: Type mismatch between the LHS and RHS values of predicate',
    ]);
    expect(issues(file(`        expression: http.path.segments.3_1 == "x"`))).toEqual([
      'error 7:21 Router Expression failed validation: illformed http.path.segments.* field',
    ]);
  });

  it("refuses regex_priority with an expression, priority without one, and priority beyond Kong's range", () => {
    expect(issues(file(`        expression: http.path == "/a"
        regex_priority: 3`))).toEqual([
      "error 8:9 Router Expression failed validation: cannot set 'regex_priority' with 'expression' simultaneously",
    ]);
    expect(issues(file(`        paths: [/a]
        priority: 3`))).toEqual([
      "error 8:9 Router Expression failed validation: cannot set 'priority' with 'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' simultaneously",
    ]);
    expect(issues(file(`        expression: http.path == "/a"
        priority: 70368744177664`)).join('\n')).toMatch(/^error 8:19 .*70368744177663/);
  });
});

describe('validate: plugin conditions', () => {
  const plugin = (condition: string) => `plugins:
  - name: key-auth
    condition: ${condition}`;

  it('accepts the router fields and the consumer, route, service and kong.ctx.shared fields', () => {
    expect(issues(file('        paths: [/a]', plugin(`'route.name != "health" && (consumer.username == "a" || kong.ctx.shared.flag == "on") && http.headers.x_block == "true"'`)))).toEqual([]);
  });

  it('reports a syntax error in a condition where it is', () => {
    expect(issues(file('        paths: [/a]', plugin('http.method = "GET"')))).toEqual([
      'error 10:28 condition failed validation: --> 1:13 = expected binary_operator',
    ]);
  });

  it('reports an unknown field at the condition', () => {
    expect(issues(file('        paths: [/a]', plugin('route.tags == "x"')))).toEqual([
      'error 10:16 condition failed validation: Unknown LHS field',
    ]);
  });
});
