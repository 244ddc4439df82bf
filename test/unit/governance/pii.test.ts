import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildDetectors, detect, entropy, ibanValid, luhn } from '../../../src/gateway/plugins/aigw-pii-sanitizer/pii.js';
import { anonymizeText, Vault } from '../../../src/gateway/plugins/aigw-pii-sanitizer/anonymize.js';

const ALL = buildDetectors(['email', 'phone', 'credit_card', 'iban', 'ip', 'api_key'], []);
const found = (text: string) => detect(text, ALL).map((f) => [f.type, f.value]);

describe('checksums', () => {
  it('luhn accepts valid card numbers and rejects a changed digit', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('5500005555555559')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
  });

  it('luhn: changing any single digit of a valid number breaks it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (pos, add) => {
      const base = '4539578763621486';
      const d = (Number(base[pos]) + add) % 10;
      return !luhn(base.slice(0, pos) + String(d) + base.slice(pos + 1));
    }));
  });

  it('IBAN mod-97', () => {
    expect(ibanValid('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('DE89 3704 0044 0532 0130 01')).toBe(false);
    expect(ibanValid('XX00')).toBe(false);
  });

  it('entropy', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
  });
});

describe('detectors', () => {
  it('finds emails', () => {
    expect(found('mail john.doe+x@example.co.uk now')).toEqual([['email', 'john.doe+x@example.co.uk']]);
    expect(found('not an email: a@b, @handle, x@localhost')).toEqual([]);
  });

  it('finds Luhn-valid card numbers only', () => {
    expect(found('card 4111 1111 1111 1111 exp')).toEqual([['credit_card', '4111 1111 1111 1111']]);
    expect(found('card 4111-1111-1111-1111.')).toEqual([['credit_card', '4111-1111-1111-1111']]);
    expect(found('order 4111111111111112 shipped')).toEqual([]);
  });

  it('finds IBANs with a valid checksum', () => {
    expect(found('pay to DE89 3704 0044 0532 0130 00 today')).toEqual([['iban', 'DE89 3704 0044 0532 0130 00']]);
    expect(found('pay to GB82WEST12345698765432')).toEqual([['iban', 'GB82WEST12345698765432']]);
    expect(found('pay to DE00 3704 0044 0532 0130 00')).toEqual([]);
  });

  it('finds IPv4 and IPv6 addresses, not versions or scopes', () => {
    expect(found('host 192.168.1.20 up')).toEqual([['ip', '192.168.1.20']]);
    expect(found('addr 2001:db8:85a3::8a2e:370:7334 and fe80::1')).toEqual([['ip', '2001:db8:85a3::8a2e:370:7334'], ['ip', 'fe80::1']]);
    expect(found('version 1.2.3.4.5, 999.1.1.1, std::vector, a::b, 10:30:00')).toEqual([]);
  });

  it('finds phone numbers', () => {
    expect(found('call +1 415 555 0100 or (415) 555-0100 or 415-555-0100')).toEqual([
      ['phone', '+1 415 555 0100'], ['phone', '(415) 555-0100'], ['phone', '415-555-0100'],
    ]);
    expect(found('call +44 20 7946 0958')).toEqual([['phone', '+44 20 7946 0958']]);
    expect(found('dates 2024-01-15, 12:30, 3.14159, +12')).toEqual([]);
  });

  it('finds well-known API keys and conservative generic tokens', () => {
    const keys = [
      'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
      'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
      'AKIAIOSFODNN7EXAMPLE',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'xoxb-1234567890-abcdefghij',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
      'q8Zt3LmR7vXw2Nk9Pb4Hs6Jd1Fc5Gy0TaE',
    ];
    for (const k of keys) expect(found(`key=${k} end`), k).toEqual([['api_key', k]]);
    const benign = [
      'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      '123e4567-e89b-12d3-a456-426614174000',
      'ThisIsAVeryLongIdentifierNameForSomething',
      'the_quick_brown_fox_jumps_over_the_lazy_dog_2024',
      'sk-short',
    ];
    for (const b of benign) expect(found(`value ${b} end`), b).toEqual([]);
  });

  it('custom patterns come first and carry their placeholder', () => {
    const d = buildDetectors(['custom', 'email'], [{ name: 'emp', regex: 'EMP-\\d{4}', placeholder: '<EMPLOYEE>' }]);
    const f = detect('EMP-1234 wrote to a@example.com', d);
    expect(f.map((x) => [x.type, x.value])).toEqual([['emp', 'EMP-1234'], ['email', 'a@example.com']]);
    expect(() => buildDetectors(['custom'], [{ name: 'bad', regex: '(' }])).toThrow();
    expect(buildDetectors(['email'], [{ name: 'x', regex: 'x' }]).some((x) => x.type === 'x')).toBe(false);
  });

  it('earlier detectors win overlaps', () => {
    expect(found('write to 4111111111111111@example.com')).toEqual([['email', '4111111111111111@example.com']]);
  });

  it('never reports overlapping findings (property)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('a@b.io', ' ', '4111 1111 1111 1111', '10.0.0.1', 'x', '+1 415 555 0100', '-', '.'), { maxLength: 30 }), (parts) => {
      const f = detect(parts.join(''), ALL);
      for (let i = 1; i < f.length; i++) if (f[i].start < f[i - 1].end) return false;
      return true;
    }));
  });
});

describe('anonymizeText', () => {
  it('numbers placeholders per type and reuses them for repeated values', () => {
    const v = new Vault('placeholder');
    const out = anonymizeText('a@x.io, b@x.io, a@x.io from 10.0.0.1', ALL, v);
    expect(out).toBe('<EMAIL_1>, <EMAIL_2>, <EMAIL_1> from <IP_1>');
    expect(v.counts).toEqual({ email: 3, ip: 1 });
    expect([...v.restorable]).toEqual([['<EMAIL_1>', 'a@x.io'], ['<EMAIL_2>', 'b@x.io'], ['<IP_1>', '10.0.0.1']]);
  });

  it('redacts with type markers and remembers nothing', () => {
    const v = new Vault('redact');
    expect(anonymizeText('mail a@x.io', ALL, v)).toBe('mail [REDACTED_EMAIL]');
    expect(v.restorable.size).toBe(0);
  });

  it('does not restore a fixed custom placeholder shared by two values', () => {
    const d = buildDetectors(['custom'], [{ name: 'emp', regex: 'EMP-\\d{4}', placeholder: '<EMPLOYEE>' }]);
    const one = new Vault('placeholder');
    anonymizeText('EMP-0001 and EMP-0001', d, one);
    expect([...one.restorable]).toEqual([['<EMPLOYEE>', 'EMP-0001']]);
    const two = new Vault('placeholder');
    expect(anonymizeText('EMP-0001 and EMP-0002', d, two)).toBe('<EMPLOYEE> and <EMPLOYEE>');
    expect(two.restorable.size).toBe(0);
  });
});
