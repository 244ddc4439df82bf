/**
 * A hand-written parser for Kong's ATC expressions, following atc-router's pest grammar
 * (src/atc_grammar.pest) and its tree builder (src/parser.rs):
 *
 *   matcher    = expression EOI
 *   expression = term ((&& | ||) term)*        `||` binds tighter than `&&` (atc-router's Pratt table)
 *   term       = predicate | !? "(" expression ")"
 *   predicate  = lhs binary_operator rhs
 *   lhs        = ident "(" lhs ")" | ident          transformations: lower, any
 *   rhs        = "str" | r#"raw"# | ip/cidr (v4, v6) | int (dec, 0x hex, 0 octal, -)
 *
 * Errors are pest's: the furthest position a rule failed at and the rules expected there
 * (`expected term`), or the message of a value that does not build (a bad CIDR, regex or
 * transformation), at its position; written on one line as `--> line:col = message`.
 */
import type { Expression, Operator, Predicate, Value } from './ast.js';
import { compileRustRegex, parseCidr, parseIp } from './values.js';

export interface ParseError {
  /** Offset in the source. */
  offset: number;
  line: number;
  column: number;
  /** pest's message (`expected term`, `host part of address was not zero`…). */
  message: string;
}

/** pest's rule order (the grammar's), for listing expected rules as pest does. */
const RULE_ORDER = ['EOI', 'rhs', 'str_char', 'str_esc', 'rawstr_char', 'binary_operator', 'and_op', 'or_op', 'term'];
const OPERATORS: readonly Operator[] = ['==', '!=', '~', '^=', '=^', '>=', '>', '<=', '<', 'in', 'contains'];
const TRANSFORMS = new Set(['lower', 'any']);
const I64_MAX = (1n << 63n) - 1n;

const IPV4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const IPV6 = String.raw`(?::|[0-9A-Fa-f]{1,4}):(?:[0-9A-Fa-f]{1,4}|:)*`;
const IP_FORMS: Array<[RegExp, 'IpCidr' | 'IpAddr']> = [
  [new RegExp(`^${IPV4}/\\d{1,2}`), 'IpCidr'],
  [new RegExp(`^${IPV6}/\\d{1,3}`), 'IpCidr'],
  [new RegExp(`^${IPV4}`), 'IpAddr'],
  [new RegExp(`^${IPV6}`), 'IpAddr'],
];
const INT = /^(-?)(?:(0[0-7]+)|0x([0-9A-Fa-f]+)|([0-9]+))/;
const IDENT = /^[A-Za-z][A-Za-z0-9_.]*/;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t' };

class Fail extends Error {}

function enumerate(names: string[]): string {
  const sorted = [...names].sort((a, b) => RULE_ORDER.indexOf(a) - RULE_ORDER.indexOf(b));
  if (sorted.length <= 2) return sorted.join(' or ');
  return `${sorted.slice(0, -1).join(', ')}, or ${sorted.at(-1)}`;
}

function located(src: string, offset: number, message: string): ParseError {
  const before = [...src.slice(0, offset)];
  const nl = before.lastIndexOf('\n');
  return { offset, line: before.filter((c) => c === '\n').length + 1, column: before.length - nl, message };
}

/** The one-line form of a parse error: `--> 1:11 = expected term`. */
export function parseErrorText(e: ParseError): string {
  return `--> ${e.line}:${e.column} = ${e.message}`;
}

class Parser {
  private pos = 0;
  private furthest = -1;
  private expected: string[] = [];
  /** Values that do not build, in source order (reported once the syntax is known good, as pest's builder does). */
  readonly custom: Array<{ at: number; message: string }> = [];

  constructor(private readonly src: string) {}

  matcher(): Expression {
    this.ws();
    const e = this.expression();
    this.ws();
    if (this.pos < this.src.length) this.fail('EOI');
    return e;
  }

  error(): ParseError {
    return located(this.src, this.furthest, `expected ${enumerate(this.expected)}`);
  }

  private attempt(name: string, at = this.pos): void {
    if (at > this.furthest) {
      this.furthest = at;
      this.expected = [name];
    } else if (at === this.furthest && !this.expected.includes(name)) this.expected.push(name);
  }

  private fail(name: string, at = this.pos): never {
    this.attempt(name, at);
    throw new Fail();
  }

  private ws(): void {
    while (this.pos < this.src.length && ' \t\r\n'.includes(this.src[this.pos]!)) this.pos++;
  }

  private eat(token: string): boolean {
    if (!this.src.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private expression(): Expression {
    const terms = [this.term()];
    const ops: Array<'&&' | '||'> = [];
    for (;;) {
      const save = this.pos;
      this.ws();
      this.attempt('and_op');
      this.attempt('or_op');
      const op = this.eat('&&') ? '&&' : this.eat('||') ? '||' : null;
      if (op === null) {
        this.pos = save;
        break;
      }
      this.ws();
      ops.push(op);
      terms.push(this.term());
    }
    // `||` binds tighter than `&&`, both left-associative
    const groups: Expression[] = [terms[0]!];
    ops.forEach((op, i) => {
      const t = terms[i + 1]!;
      if (op === '||') groups.push({ kind: 'or', left: groups.pop()!, right: t });
      else groups.push(t);
    });
    return groups.reduce((left, right) => ({ kind: 'and', left, right }));
  }

  private term(): Expression {
    const start = this.pos;
    const p = this.predicate();
    if (p) return p;
    const not = this.eat('!');
    if (not) this.ws();
    if (!this.eat('(')) this.fail('term', start);
    this.ws();
    const e = this.expression();
    this.ws();
    if (!this.eat(')')) throw new Fail();
    return not ? { kind: 'not', expr: e } : e;
  }

  private predicate(): Predicate | null {
    const at = this.pos;
    const lhs = this.lhs();
    if (lhs === null) return null;
    this.ws();
    const op = this.operator();
    if (op === null) this.fail('binary_operator');
    this.ws();
    const rhsAt = this.pos;
    const rhs = this.rhs();
    if (rhs === null) this.fail('rhs');
    return { kind: 'predicate', field: lhs.field, lower: lhs.transforms.includes('lower'), any: lhs.transforms.includes('any'), op, rhs: this.operand(op, rhs, rhsAt), at };
  }

  private operand(op: Operator, rhs: Value, at: number): Value {
    if (op !== '~') return rhs;
    if (rhs.type !== 'String') {
      this.custom.push({ at, message: 'regex operator can only be used with String operands' });
      return rhs;
    }
    const re = compileRustRegex(rhs.value);
    if (typeof re === 'string') {
      this.custom.push({ at, message: re });
      return rhs;
    }
    return { type: 'Regex', value: re, source: rhs.value };
  }

  private ident(): string | null {
    const m = IDENT.exec(this.src.slice(this.pos));
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }

  private lhs(): { field: string; transforms: string[] } | null {
    const start = this.pos;
    const name = this.ident();
    if (name === null) return null;
    const afterName = this.pos;
    this.ws();
    if (this.eat('(')) {
      this.ws();
      try {
        const inner = this.lhs();
        this.ws();
        if (inner !== null && this.eat(')')) {
          if (!TRANSFORMS.has(name)) this.custom.push({ at: start, message: `unknown transformation function: ${name}` });
          return { field: inner.field, transforms: [...inner.transforms, name] };
        }
      } catch (err) {
        if (!(err instanceof Fail)) throw err;
      }
    }
    this.pos = afterName;
    return { field: name, transforms: [] };
  }

  private operator(): Operator | null {
    for (const op of OPERATORS) if (this.eat(op)) return op;
    const save = this.pos;
    if (this.eat('not')) {
      this.ws();
      if (this.eat('in')) return 'not in';
    }
    this.pos = save;
    return null;
  }

  private rhs(): Value | null {
    const rest = this.src.slice(this.pos);
    if (rest.startsWith('"')) return this.string();
    if (rest.startsWith('r#"')) {
      const end = rest.indexOf('"#', 3);
      if (end < 0) {
        this.attempt('rawstr_char', this.src.length);
        return null;
      }
      this.pos += end + 2;
      return { type: 'String', value: rest.slice(3, end) };
    }
    for (const [re, type] of IP_FORMS) {
      const m = re.exec(rest);
      if (!m) continue;
      const at = this.pos;
      this.pos += m[0].length;
      return this.ipValue(m[0], type, at);
    }
    const m = INT.exec(rest);
    if (!m) return null;
    const at = this.pos;
    this.pos += m[0].length;
    const n = m[2] !== undefined ? BigInt(`0o${m[2]}`) : m[3] !== undefined ? BigInt(`0x${m[3]}`) : BigInt(m[4]!);
    if (n > I64_MAX) this.custom.push({ at, message: 'number too large to fit in target type' });
    return { type: 'Int', value: m[1] === '-' ? -n : n };
  }

  private ipValue(text: string, type: 'IpCidr' | 'IpAddr', at: number): Value {
    const bad = (message: string): Value => {
      this.custom.push({ at, message });
      return { type: 'String', value: text };
    };
    if (type === 'IpCidr') {
      const c = parseCidr(text);
      return typeof c === 'string' ? bad(c) : { type, value: c };
    }
    const a = parseIp(text);
    return typeof a === 'string' ? bad(a) : { type, value: a };
  }

  private string(): Value | null {
    let out = '';
    let i = this.pos + 1;
    while (i < this.src.length) {
      const c = this.src[i]!;
      if (c === '"') {
        this.pos = i + 1;
        return { type: 'String', value: out };
      }
      if (c === '\\') {
        const e = ESCAPES[this.src[i + 1] ?? ''];
        if (e === undefined) return this.badString(i);
        out += e;
        i += 2;
      } else {
        out += c;
        i++;
      }
    }
    return this.badString(i);
  }

  /** Inside a string pest tracks its character rules: the failure is theirs, where the string broke. */
  private badString(at: number): null {
    this.attempt('str_char', at);
    this.attempt('str_esc', at);
    return null;
  }
}

/** Parse an expression: its tree, or pest's error. */
export function parseExpression(src: string): Expression | ParseError {
  const p = new Parser(src);
  let e: Expression;
  try {
    e = p.matcher();
  } catch (err) {
    if (err instanceof Fail) return p.error();
    throw err;
  }
  const bad = p.custom[0];
  return bad === undefined ? e : located(src, bad.at, bad.message);
}

export function isParseError(x: Expression | ParseError): x is ParseError {
  return 'message' in x && 'offset' in x;
}
