/**
 * The constant values of ATC expressions that need more than a string: IP addresses and CIDR
 * ranges (Rust's std::net parsers and the `cidr` crate in atc-router; their error texts are
 * theirs), and regexes (Rust's `regex` crate syntax, run here as JavaScript RegExps).
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Cidr, Ip } from './ast.js';

const V4_ERR = 'invalid IPv4 address syntax';
const V6_ERR = 'invalid IPv6 address syntax';

function v4(s: string): bigint {
  return s.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function v6(s: string): bigint {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const words = (x: string | undefined): string[] => (x === undefined || x === '' ? [] : x.split(':'));
  let left = words(head);
  let right = words(tail);
  const last = (tail === undefined ? left : right).at(-1);
  if (last !== undefined && last.includes('.')) {
    const n = v4(last);
    const pair = [(n >> 16n).toString(16), (n & 0xffffn).toString(16)];
    if (tail === undefined) left = [...left.slice(0, -1), ...pair];
    else right = [...right.slice(0, -1), ...pair];
  }
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((n, w) => (n << 16n) | BigInt(parseInt(w, 16)), 0n);
}

/** An address (`10.0.0.1`, `fd00::1`), or the parser's message. */
export function parseIp(s: string): Ip | string {
  if (isIPv4(s)) return { family: 4, n: v4(s) };
  if (isIPv6(s) && !s.includes('%')) return { family: 6, n: v6(s) };
  return s.includes(':') ? V6_ERR : V4_ERR;
}

/** A CIDR range (`10.0.0.0/8`), or the `cidr` crate's message. */
export function parseCidr(s: string): Cidr | string {
  const slash = s.indexOf('/');
  const ip = parseIp(s.slice(0, slash));
  if (typeof ip === 'string') return `couldn't parse address in network: ${ip}`;
  const bits = Number(s.slice(slash + 1));
  const width = ip.family === 4 ? 32 : 128;
  if (bits > width) return `invalid length for network: Network length ${bits} is too long for ${ip.family === 4 ? 'Ipv4' : 'Ipv6'} (maximum: ${width})`;
  const host = (1n << BigInt(width - bits)) - 1n;
  if ((ip.n & host) !== 0n) return 'host part of address was not zero';
  return { ...ip, bits };
}

/** Whether `ip` is inside `cidr` (an address of the other family never is). */
export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.family !== ip.family) return false;
  const shift = BigInt((cidr.family === 4 ? 32 : 128) - cidr.bits);
  return ip.n >> shift === cidr.n >> shift;
}

/** The address of a socket or a request field (`::ffff:` mapped IPv4 read as IPv4), or null. */
export function ipOf(s: string | undefined | null): Ip | null {
  if (!s) return null;
  const plain = s.startsWith('::ffff:') && isIPv4(s.slice(7)) ? s.slice(7) : s;
  const r = parseIp(plain);
  return typeof r === 'string' ? null : r;
}

const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\(\?<?[=!]/, 'look-around, including look-ahead and look-behind, is not supported'],
  [/\\[1-9]|\\k</, 'backreferences are not supported'],
];

/**
 * A regex written for Rust's `regex` crate as a JavaScript RegExp: named groups `(?P<n>…)`,
 * leading inline flags `(?i)`/`(?s)`/`(?m)`, `\A`, `\z` and Unicode classes `\pL` (then with the `u` flag). What Rust refuses (look-around,
 * backreferences) is refused with its message; what JavaScript cannot compile, with JavaScript's.
 */
export function compileRustRegex(pattern: string): RegExp | string {
  const scan = pattern.replace(/\\\\/g, '');
  for (const [re, message] of UNSUPPORTED) if (re.test(scan)) return `regex parse error: ${message}`;
  let source = pattern;
  let flags = /\\[pP]/.test(scan) ? 'u' : '';
  const inline = /^\(\?([imsxU]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    if (/[xU]/.test(inline[1])) return `aigw cannot run the inline flags (?${inline[1]}) of this regex (only i, m and s)`;
  }
  if (/\(\?[imsxU-]+[:)]/.test(source.replace(/\\\\/g, ''))) return 'aigw cannot run inline flags inside this regex (only a leading (?i), (?m) or (?s))';
  if (scan.includes('[[:')) return 'aigw cannot run the POSIX character classes ([[:alpha:]]) of this regex';
  source = source.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>').replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}').replace(/\\A/g, '^').replace(/\\z/g, '$');
  try {
    return new RegExp(source, flags);
  } catch (err) {
    return `regex parse error: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}
