/**
 * Evaluation of a checked ATC expression (atc-router src/interpreter.rs): a field without values
 * makes its predicate false whatever the operator; a field with several values (a header sent
 * twice) passes when every value passes, or one value with `any()`. An address of the other IP
 * family is never equal nor `in` a range (so always `not in`). Equality, prefix, suffix and regex
 * matches record the matched value by field (`http.path` decides what strip_path removes), and
 * regexes their captures.
 */
import type { Expression, Ip, Predicate } from './ast.js';
import { cidrContains } from './values.js';

export type FieldValue = string | number | Ip;

/** The values of a field for the request being evaluated (undefined or empty: absent). */
export type FieldReader = (field: string) => readonly FieldValue[] | undefined;

export interface MatchResult {
  /** Matched value by field (`==`, `^=`, `=^`: the constant; `~`: the whole match). */
  matches: Map<string, string>;
  /** Regex captures, numbered from 0 and named. */
  captures: Record<string, string>;
}

export function newMatch(): MatchResult {
  return { matches: new Map(), captures: {} };
}

function sameIp(a: Ip, b: Ip): boolean {
  return a.family === b.family && a.n === b.n;
}

function regexHit(p: Predicate, s: string, m: MatchResult): boolean {
  if (p.rhs.type !== 'Regex') return false;
  const r = p.rhs.value.exec(s);
  if (!r) return false;
  m.matches.set(p.field, r[0]);
  r.forEach((v, i) => {
    if (v !== undefined) m.captures[String(i)] = v;
  });
  for (const [k, v] of Object.entries(r.groups ?? {})) if (v !== undefined) m.captures[k] = v;
  return true;
}

function stringHit(p: Predicate, s: string, m: MatchResult): boolean {
  const rhs = p.rhs.type === 'String' ? p.rhs.value : null;
  if (p.op === '~') return regexHit(p, s, m);
  if (rhs === null) return false;
  let hit: boolean;
  switch (p.op) {
    case '==': hit = s === rhs; break;
    case '!=': return s !== rhs;
    case '^=': hit = s.startsWith(rhs); break;
    case '=^': hit = s.endsWith(rhs); break;
    case 'contains': return s.includes(rhs);
    default: return false;
  }
  if (hit) m.matches.set(p.field, rhs);
  return hit;
}

function intHit(p: Predicate, n: number): boolean {
  if (p.rhs.type !== 'Int') return false;
  const v = BigInt(n);
  const rhs = p.rhs.value;
  switch (p.op) {
    case '==': return v === rhs;
    case '!=': return v !== rhs;
    case '>': return v > rhs;
    case '>=': return v >= rhs;
    case '<': return v < rhs;
    case '<=': return v <= rhs;
    default: return false;
  }
}

function ipHit(p: Predicate, ip: Ip): boolean {
  if (p.op === '==' && p.rhs.type === 'IpAddr') return sameIp(ip, p.rhs.value);
  if (p.op === '!=' && p.rhs.type === 'IpAddr') return !sameIp(ip, p.rhs.value);
  if (p.rhs.type !== 'IpCidr') return false;
  if (p.op === 'in') return cidrContains(p.rhs.value, ip);
  if (p.op === 'not in') return !cidrContains(p.rhs.value, ip);
  return false;
}

function valueHit(p: Predicate, v: FieldValue, m: MatchResult): boolean {
  if (typeof v === 'string') return stringHit(p, p.lower ? v.toLowerCase() : v, m);
  if (typeof v === 'number') return intHit(p, v);
  return ipHit(p, v);
}

function predicateHolds(p: Predicate, read: FieldReader, m: MatchResult): boolean {
  const values = read(p.field);
  if (values === undefined || values.length === 0) return false;
  for (const v of values) {
    const hit = valueHit(p, v, m);
    if (p.any && hit) return true;
    if (!p.any && !hit) return false;
  }
  return !p.any;
}

/** Whether the expression holds; `m` collects what matched. */
export function evaluate(e: Expression, read: FieldReader, m: MatchResult = newMatch()): boolean {
  switch (e.kind) {
    case 'predicate': return predicateHolds(e, read, m);
    case 'and': return evaluate(e.left, read, m) && evaluate(e.right, read, m);
    case 'or': return evaluate(e.left, read, m) || evaluate(e.right, read, m);
    case 'not': return !evaluate(e.expr, read, m);
  }
}
