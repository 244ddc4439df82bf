/**
 * The syntax tree of Kong's ATC expressions (Kong/atc-router src/ast.rs): the language of
 * expression routes (`route.expression`) and of plugin conditions (`plugin.condition`, Kong 3.14).
 */

/** An IP address: family and value (32 or 128 bits). */
export interface Ip {
  family: 4 | 6;
  n: bigint;
}

/** A CIDR range whose host bits are zero (atc-router refuses the others). */
export interface Cidr extends Ip {
  bits: number;
}

export type Value =
  | { type: 'String'; value: string }
  | { type: 'Int'; value: bigint }
  | { type: 'IpAddr'; value: Ip }
  | { type: 'IpCidr'; value: Cidr }
  | { type: 'Regex'; value: RegExp; source: string };

export type Operator = '==' | '!=' | '~' | '^=' | '=^' | '>' | '>=' | '<' | '<=' | 'in' | 'not in' | 'contains';

export interface Predicate {
  kind: 'predicate';
  field: string;
  /** `lower()`: compare the lower-cased value. */
  lower: boolean;
  /** `any()`: one value of a multi-valued field passing is enough (default: every value must pass). */
  any: boolean;
  op: Operator;
  rhs: Value;
  /** Offset of the predicate in the source (for messages). */
  at: number;
}

export type Expression =
  | Predicate
  | { kind: 'and' | 'or'; left: Expression; right: Expression }
  | { kind: 'not'; expr: Expression };

/** Every predicate of an expression, left to right. */
export function predicates(e: Expression, out: Predicate[] = []): Predicate[] {
  if (e.kind === 'predicate') out.push(e);
  else if (e.kind === 'not') predicates(e.expr, out);
  else {
    predicates(e.left, out);
    predicates(e.right, out);
  }
  return out;
}
