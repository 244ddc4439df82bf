import { describe, expect, it } from 'vitest';
import { parseExpression, isParseError, parseErrorText } from '../../../src/expressions/parse.js';
import { checkExpression, CONDITION_FIELDS, HTTP_FIELDS, STREAM_FIELDS } from '../../../src/expressions/check.js';
import { evaluate, newMatch } from '../../../src/expressions/evaluate.js';
import { requestFields, type RequestFacts } from '../../../src/expressions/request-fields.js';
import type { Expression } from '../../../src/expressions/ast.js';

/** The tree as atc-router's test Display writes it: `((a == 1) && ((b != 2) || (c >= 3)))`. */
function show(e: Expression): string {
  switch (e.kind) {
    case 'and': return `(${show(e.left)} && ${show(e.right)})`;
    case 'or': return `(${show(e.left)} || ${show(e.right)})`;
    case 'not': return `!(${show(e.expr)})`;
    case 'predicate': {
      const v = e.rhs.type === 'Regex' ? `/${e.rhs.source}/` : e.rhs.type === 'String' ? JSON.stringify(e.rhs.value) : e.rhs.type === 'Int' ? String(e.rhs.value) : e.rhs.type;
      const lhs = [e.lower ? 'lower' : '', e.any ? 'any' : ''].filter(Boolean).reduce((f, t) => `${t}(${f})`, e.field);
      return `(${lhs} ${e.op} ${v})`;
    }
  }
}

function tree(src: string): string {
  const e = parseExpression(src);
  if (isParseError(e)) throw new Error(parseErrorText(e));
  return show(e);
}

function error(src: string): string {
  const e = parseExpression(src);
  if (!isParseError(e)) throw new Error(`parsed: ${src}`);
  return parseErrorText(e);
}

function check(src: string, schema = HTTP_FIELDS): string | null {
  const r = checkExpression(src, schema);
  return 'error' in r ? r.error : null;
}

describe('ATC parser', () => {
  it('binds || tighter than &&, both left-associative, as atc-router does', () => {
    expect(tree('a == 1 && b != 2 || c >= 3')).toBe('((a == 1) && ((b != 2) || (c >= 3)))');
    expect(tree('x > 1 || y < 2 && z <= 3 || w == 4')).toBe('(((x > 1) || (y < 2)) && ((z <= 3) || (w == 4)))');
    expect(tree('!(a == 1 || b == 2 && c == 3) && d == 4')).toBe('(!((((a == 1) || (b == 2)) && (c == 3))) && (d == 4))');
  });

  it('reads strings with escapes, raw strings, ints in three bases, addresses and ranges', () => {
    expect(tree(String.raw`p == "a\"b\\c\n"`)).toBe(String.raw`(p == "a\"b\\c\n")`);
    expect(tree('p ~ r#"^/x/\\d+"#')).toBe('(p ~ /^/x/\\d+/)');
    expect(tree('n == 0x1F || n == 017 || n == -12 || n == 08')).toBe('((((n == 31) || (n == 15)) || (n == -12)) || (n == 8))');
    expect(tree('ip in 10.0.0.0/8 && ip == fd00::1 && ip not in fd00::/16')).toBe('(((ip in IpCidr) && (ip == IpAddr)) && (ip not in IpCidr))');
    expect(tree('lower(any(h)) == "x"')).toBe('(any(lower(h)) == "x")');
    expect(tree('  a   not   in 1.2.0.0/16 ')).toBe('(a not in IpCidr)');
  });

  it("reports pest's furthest failure: the rules expected there, at line:column", () => {
    expect(error('! a == 1')).toBe('--> 1:1 = expected term');
    expect(error('a == 1 || ! b == 2')).toBe('--> 1:11 = expected term');
    expect(error('(a == 1 || b == 2) && ! c == 3')).toBe('--> 1:23 = expected term');
    expect(error('http.path = "/x"')).toBe('--> 1:11 = expected binary_operator');
    expect(error('http.path ==')).toBe('--> 1:13 = expected rhs');
    expect(error('http.path == "/x" foo')).toBe('--> 1:19 = expected EOI, and_op, or or_op');
    expect(error('(http.path == "/x"')).toBe('--> 1:19 = expected and_op or or_op');
    expect(error('a == "unterminated')).toBe('--> 1:19 = expected str_char or str_esc');
    expect(error(String.raw`a == "bad \q escape"`)).toBe('--> 1:11 = expected str_char or str_esc');
    expect(error('a == r#"open')).toBe('--> 1:13 = expected rawstr_char');
    expect(error('a == 1 &&\n  b ==')).toBe('--> 2:7 = expected rhs');
  });

  it('refuses values that do not build, with their parser messages', () => {
    expect(error('ip in 10.0.0.1/8')).toBe('--> 1:7 = host part of address was not zero');
    expect(error('ip in 10.0.0.0/40')).toBe('--> 1:7 = invalid length for network: Network length 40 is too long for Ipv4 (maximum: 32)');
    expect(error('ip == 300.1.1.1')).toBe('--> 1:7 = invalid IPv4 address syntax');
    expect(error('upper(h) == "x"')).toBe('--> 1:1 = unknown transformation function: upper');
    expect(error('p ~ 12')).toBe('--> 1:5 = regex operator can only be used with String operands');
    expect(error('p ~ "(?<=a)b"')).toMatch(/^--> 1:5 = regex parse error: look-around/);
    expect(error('p ~ "a(b"')).toMatch(/^--> 1:5 = regex parse error: /);
    expect(error('n == 9223372036854775808')).toBe('--> 1:6 = number too large to fit in target type');
  });

  it("translates Rust's regex spellings, and names what aigw cannot run instead of running it differently", () => {
    const e = parseExpression('p ~ r#"(?i)^/(?P<v>\\pL+)/\\d\\z"#');
    const re = !isParseError(e) && e.kind === 'predicate' && e.rhs.type === 'Regex' ? e.rhs.value : null;
    expect(re?.exec('/ÉTÉ/7')?.groups).toEqual({ v: 'ÉTÉ' });
    expect(re?.test('/été/7x')).toBe(false);
    expect(error('p ~ r#"/a(?i:b)"#')).toBe('--> 1:5 = aigw cannot run inline flags inside this regex (only a leading (?i), (?m) or (?s))');
    expect(error('p ~ r#"[[:alpha:]]"#')).toBe('--> 1:5 = aigw cannot run the POSIX character classes ([[:alpha:]]) of this regex');
    expect(error('p ~ r#"(?x) a"#')).toBe('--> 1:5 = aigw cannot run the inline flags (?x) of this regex (only i, m and s)');
  });
});

describe('ATC type checker (atc-router semantics.rs messages)', () => {
  it('accepts the documented combinations', () => {
    for (const ok of [
      'http.path ^= "/a" && lower(http.host) =^ ".example.com"',
      'http.headers.x_version == "2" || any(http.queries.tag) contains "beta"',
      'http.path.segments.len >= 2 && http.path.segments.0 == "api" && http.path.segments.1_2 ~ "v[0-9]+/.+"',
      'net.src.ip in 10.0.0.0/8 && net.dst.port != 8443 && net.src.ip == ::1',
      'net.port == 80',
    ]) expect(check(ok)).toBeNull();
  });

  it('refuses what Kong refuses', () => {
    expect(check('http.nope == "x"')).toBe('Unknown LHS field');
    expect(check('http.headers.a.b == "x"')).toBe('Unknown LHS field');
    expect(check('http.path == 1')).toBe('Type mismatch between the LHS and RHS values of predicate');
    expect(check('lower(net.dst.port) == 1')).toBe('lower-case transformation function only supported with String type fields');
    expect(check('net.dst.port ~ "1"')).toBe('Regex operators only supports string operands');
    expect(check('http.path > "a"')).toBe('Greater/GreaterOrEqual/Less/LessOrEqual operators only supports integer operands');
    expect(check('http.path in 10.0.0.0/8')).toBe('In/NotIn operators only supports IP in CIDR');
    expect(check('net.src.ip in 10.0.0.1')).toBe('In/NotIn operators only supports IP in CIDR');
    expect(check('net.dst.port contains 1')).toBe('Contains operator only supports string operands');
    expect(check('http.path contains 1')).toBe('Type mismatch between the LHS and RHS values of predicate');
    expect(check('http.path.segments.2_1 == "x"')).toBe('illformed http.path.segments.* field');
    expect(check('http.path.segments.01 == "x"')).toBe('illformed http.path.segments.* field');
    expect(check('http.path ^= "/a"', STREAM_FIELDS)).toBe('Unknown LHS field');
    expect(check('route.name != "health"')).toBe('Unknown LHS field');
    expect(check('route.name != "health" && consumer.username == "a" && kong.ctx.shared.flag == "on"', CONDITION_FIELDS)).toBeNull();
  });
});

const facts = (over: Partial<RequestFacts> & { hdrs?: Record<string, string[]> } = {}): RequestFacts => ({
  method: 'GET', host: 'Api.Example.com:8000', path: '/api/v2/items/', query: 'tag=a&tag=b&flag', protocol: 'http',
  srcIp: '10.1.2.3', srcPort: 50000, dstIp: '127.0.0.1', dstPort: 9000, sni: null,
  headers: () => over.hdrs ?? { 'x-version': ['2'], 'x-multi': ['bar1', 'bar2'] },
  ...over,
});

function holds(src: string, f = facts()): boolean {
  const r = checkExpression(src, HTTP_FIELDS);
  if ('error' in r) throw new Error(r.error);
  return evaluate(r.expression, requestFields(f));
}

describe('ATC evaluation', () => {
  it('reads the request as Kong does', () => {
    expect(holds('http.host == "Api.Example.com" && net.dst.port == 8000')).toBe(true);
    expect(holds('lower(http.host) == "api.example.com"')).toBe(true);
    expect(holds('http.host == "api.example.com"')).toBe(false);
    expect(holds('net.dst.port == 9000', facts({ host: 'localhost' }))).toBe(true);
    expect(holds('http.path.segments.len == 3 && http.path.segments.2 == "items" && http.path.segments.0_1 == "api/v2"')).toBe(true);
    expect(holds('http.path.segments.3 == ""')).toBe(false);
    expect(holds('http.headers.X_Version == "2"')).toBe(true);
    expect(holds('http.queries.flag == ""')).toBe(true);
    expect(holds('net.src.ip in 10.0.0.0/8 && net.src.ip not in 10.2.0.0/16')).toBe(true);
    expect(holds('net.src.ip not in fd00::/8')).toBe(true);
    expect(holds('net.src.ip in fd00::/8 || net.src.ip == ::1')).toBe(false);
    expect(holds('net.protocol == "http" && tls.sni != "x"')).toBe(false);
  });

  it('needs every value of a multi-valued field to pass, or one with any(); absent fields fail', () => {
    expect(holds('http.headers.x_multi ~ r#"bar\\d"#')).toBe(true);
    expect(holds('http.headers.x_multi == "bar1"')).toBe(false);
    expect(holds('any(http.headers.x_multi) == "bar1"')).toBe(true);
    expect(holds('http.queries.tag != "c"')).toBe(true);
    expect(holds('http.headers.absent != "x"')).toBe(false);
    expect(holds('!(http.headers.absent == "x")')).toBe(true);
  });

  it('records the matched path and the regex captures', () => {
    const r = checkExpression('http.method == "GET" && http.path ~ r#"^/api/(?P<ver>v\\d+)/"#', HTTP_FIELDS);
    if ('error' in r) throw new Error(r.error);
    const m = newMatch();
    expect(evaluate(r.expression, requestFields(facts()), m)).toBe(true);
    expect(m.matches.get('http.path')).toBe('/api/v2/');
    expect(m.captures).toEqual({ 0: '/api/v2/', 1: 'v2', ver: 'v2' });
  });
});
