/**
 * The type checker of ATC expressions (atc-router src/semantics.rs, its messages verbatim) over
 * the fields Kong offers: the router's (kong/router/fields.lua: HTTP_FIELDS, STREAM_FIELDS) and,
 * for plugin conditions (Kong 3.14), those plus the consumer, route, service and `kong.ctx.shared`
 * fields of Kong's plugin-conditions reference. Kong's routes schema adds the
 * `http.path.segments.*` shape check (kong/db/schema/entities/routes.lua).
 */
import { predicates, type Expression, type Predicate } from './ast.js';
import { isParseError, parseErrorText, parseExpression, type ParseError } from './parse.js';

export type FieldType = 'String' | 'Int' | 'IpAddr';
export type Schema = Readonly<Record<string, FieldType>>;

const NET: Schema = { 'net.protocol': 'String', 'tls.sni': 'String', 'net.src.port': 'Int', 'net.dst.port': 'Int', 'net.src.ip': 'IpAddr', 'net.dst.ip': 'IpAddr' };

export const HTTP_FIELDS: Schema = {
  ...NET,
  'http.method': 'String',
  'http.host': 'String',
  'http.path': 'String',
  'http.path.segments.*': 'String',
  'http.headers.*': 'String',
  'http.queries.*': 'String',
  'http.path.segments.len': 'Int',
};

export const STREAM_FIELDS: Schema = NET;

export const CONDITION_FIELDS: Schema = {
  ...HTTP_FIELDS,
  'consumer.id': 'String',
  'consumer.username': 'String',
  'consumer.custom_id': 'String',
  'route.id': 'String',
  'route.name': 'String',
  'service.id': 'String',
  'service.name': 'String',
  'kong.ctx.shared.*': 'String',
};

/** atc-router's Schema::type_of: the field, else its `prefix.*` wildcard. */
export function fieldType(schema: Schema, field: string): FieldType | undefined {
  const exact = schema[field];
  if (exact !== undefined) return exact;
  const dot = field.lastIndexOf('.');
  return dot < 0 ? undefined : schema[`${field.slice(0, dot)}.*`];
}

/** atc-router's semantic check of one predicate: null, or its message. */
function checkPredicate(schema: Schema, p: Predicate): string | null {
  const lhs = fieldType(schema, p.field);
  if (lhs === undefined) return 'Unknown LHS field';
  const rhs = p.rhs.type;
  if (p.op !== '~' && p.op !== 'in' && p.op !== 'not in' && lhs !== rhs) return 'Type mismatch between the LHS and RHS values of predicate';
  if (p.lower && lhs !== 'String') return 'lower-case transformation function only supported with String type fields';
  switch (p.op) {
    case '==': case '!=': return null;
    case '~': return lhs === 'String' ? null : 'Regex operators only supports string operands';
    case '^=': case '=^': return rhs === 'String' ? null : 'Prefix/Postfix operators only supports string operands';
    case '>': case '>=': case '<': case '<=': return rhs === 'Int' ? null : 'Greater/GreaterOrEqual/Less/LessOrEqual operators only supports integer operands';
    case 'in': case 'not in': return lhs === 'IpAddr' && rhs === 'IpCidr' ? null : 'In/NotIn operators only supports IP in CIDR';
    case 'contains': return rhs === 'String' ? null : 'Contains operator only supports string operands';
  }
}

const SEGMENTS = 'http.path.segments.';
const SEGMENT_SUFFIX = /^(0|[1-9]\d*)(_([1-9]\d*))?$/;

/** Kong's routes schema: `http.path.segments.<n>` or `.<n>_<m>` with n < m (or `.len`). */
function segmentsProblem(fields: readonly string[]): string | null {
  for (const f of fields) {
    if (!f.startsWith(SEGMENTS)) continue;
    const suffix = f.slice(SEGMENTS.length);
    const m = SEGMENT_SUFFIX.exec(suffix);
    if (suffix !== 'len' && (!m || (m[2] !== undefined && Number(m[1]) >= Number(m[3])))) return 'illformed http.path.segments.* field';
  }
  return null;
}

export type Checked = { expression: Expression; fields: readonly string[] } | { error: string; parse?: ParseError };

/**
 * Parse and type-check an expression against a schema. `error` is atc-router's message (a parse
 * error in its one-line form), without Kong's `Router Expression failed validation: ` prefix.
 */
export function checkExpression(src: string, schema: Schema): Checked {
  const parsed = parseExpression(amendExpression(src));
  if (isParseError(parsed)) return { error: parseErrorText(parsed), parse: parsed };
  const preds = predicates(parsed);
  for (const p of preds) {
    const problem = checkPredicate(schema, p);
    if (problem !== null) return { error: problem };
  }
  const fields = [...new Set(preds.map((p) => p.field))];
  const seg = segmentsProblem(fields);
  return seg === null ? { expression: parsed, fields } : { error: seg };
}

/** Kong's amending_expression (kong/router/transform.lua): the deprecated `net.port` is `net.dst.port`. */
export function amendExpression(src: string): string {
  return src.includes('net.port') ? src.replace(/(net\.port)(\s*)([=><!])/g, 'net.dst.port$2$3') : src;
}

/** The router schema of a route by its first protocol (kong/router/atc.lua `schema(protocols)`). */
export function routeSchema(protocols: unknown): Schema {
  const first = Array.isArray(protocols) && typeof protocols[0] === 'string' ? protocols[0] : 'http';
  return ['http', 'https', 'grpc', 'grpcs'].includes(first) ? HTTP_FIELDS : STREAM_FIELDS;
}

/** Kong's prefix of every route expression validation error (routes.lua). */
export const ROUTE_EXPRESSION_PREFIX = 'Router Expression failed validation: ';
