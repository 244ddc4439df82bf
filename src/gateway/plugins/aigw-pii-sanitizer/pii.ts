/**
 * Sensitive-data detectors of aigw-pii-sanitizer. Pure: `detect(text, detectors)` returns
 * non-overlapping findings, earlier detectors winning overlaps (custom patterns first, then the
 * most specific built-ins). Checksums keep false positives down: card numbers must pass Luhn,
 * IBANs mod-97; API-key detection only fires on well-known prefixes or long tokens that mix
 * upper case, lower case and digits with high entropy.
 */
import { isIPv6 } from 'node:net';

export type PiiKind = 'email' | 'phone' | 'credit_card' | 'iban' | 'ip' | 'api_key' | 'custom';

export interface Detector {
  /** Type name used in placeholders and logs (`email`, or a custom pattern's name). */
  type: string;
  regex: RegExp;
  /** Extra validation of a candidate match. */
  accept?: (value: string) => boolean;
  /** Fixed replacement text (custom patterns with `placeholder`). */
  placeholder?: string | null;
}

export interface Finding {
  type: string;
  start: number;
  end: number;
  value: string;
  detector: Detector;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616 check: move the first four characters to the end, letters → 10..35, mod 97 = 1. */
export function ibanValid(raw: string): boolean {
  const iban = raw.replace(/[ -]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const part = code >= 65 ? String(code - 55) : ch;
    for (const d of part) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function cardValid(v: string): boolean {
  const digits = v.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhn(digits);
}

function phoneValid(v: string): boolean {
  const digits = v.replace(/\D/g, '');
  return digits.length >= 9 && digits.length <= 15;
}

function ipv6Valid(v: string): boolean {
  if (!isIPv6(v)) return false;
  const groups = v.split(':').filter((g) => g !== '');
  return groups.length >= 3 || (groups.length === 2 && groups[0].length >= 3);
}

function genericKey(v: string): boolean {
  if (!/[a-z]/.test(v) || !/[A-Z]/.test(v)) return false;
  const digits = v.replace(/\D/g, '').length;
  return digits >= 3 && entropy(v) >= 4.2;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Built-in detectors per kind, in overlap priority order. */
const BUILTIN: Record<Exclude<PiiKind, 'custom'>, Detector[]> = {
  email: [{ type: 'email', regex: /(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g }],
  api_key: [
    { type: 'api_key', regex: /(?<![\w-])sk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_]{20,}(?![\w-])/g },
    { type: 'api_key', regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g },
    { type: 'api_key', regex: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})(?![A-Za-z0-9_])/g },
    { type: 'api_key', regex: /(?<![A-Za-z0-9_-])(?:xox[baprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g },
    { type: 'api_key', regex: /(?<![A-Za-z0-9_/-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_+/=-])/g, accept: genericKey },
  ],
  iban: [{ type: 'iban', regex: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g, accept: ibanValid }],
  credit_card: [{ type: 'credit_card', regex: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, accept: cardValid }],
  ip: [
    { type: 'ip', regex: new RegExp(`(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?![\\d]|\\.\\d)`, 'g') },
    { type: 'ip', regex: /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])/g, accept: ipv6Valid },
  ],
  phone: [
    {
      type: 'phone',
      regex: /(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w])/g,
      accept: phoneValid,
    },
  ],
};

/** Order in which built-in kinds claim overlapping text. */
const ORDER: Array<Exclude<PiiKind, 'custom'>> = ['email', 'api_key', 'iban', 'credit_card', 'ip', 'phone'];

export interface CustomPattern {
  name: string;
  regex: string;
  placeholder?: string | null;
}

/** Detectors for the configured kinds; custom patterns come first. Throws on a bad custom regex. */
export function buildDetectors(kinds: readonly string[], custom: readonly CustomPattern[]): Detector[] {
  const out: Detector[] = [];
  if (kinds.includes('custom')) {
    for (const p of custom) out.push({ type: p.name, regex: new RegExp(p.regex, 'g'), placeholder: p.placeholder ?? null });
  }
  for (const kind of ORDER) if (kinds.includes(kind)) out.push(...BUILTIN[kind]);
  return out;
}

/** Non-overlapping findings in text order. */
export function detect(text: string, detectors: readonly Detector[]): Finding[] {
  const taken: Finding[] = [];
  const overlaps = (s: number, e: number): boolean => taken.some((f) => s < f.end && f.start < e);
  for (const d of detectors) {
    d.regex.lastIndex = 0;
    for (const m of text.matchAll(d.regex)) {
      const value = m[0];
      const start = m.index ?? 0;
      if (value === '' || overlaps(start, start + value.length)) continue;
      if (d.accept && !d.accept(value)) continue;
      taken.push({ type: d.type, start, end: start + value.length, value, detector: d });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}
