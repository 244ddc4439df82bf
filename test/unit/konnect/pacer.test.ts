import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/kong/pacer.js';
import { parseKonnectError, describeKonnectError } from '../../../src/kong/konnect/errors.js';

function clock() {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps, advance: (ms: number) => void (t += ms) };
}

describe('Pacer', () => {
  it('lets a burst through, then paces at the rate', async () => {
    const c = clock();
    const p = new Pacer({ rate: 10, burst: 2, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 4; i++) await p.acquire();
    // two from the burst, then one every 100 ms
    expect(c.now()).toBe(200);
  });

  it('a 429 pauses everyone for Retry-After and halves the rate once per storm', async () => {
    const c = clock();
    const p = new Pacer({ rate: 20, burst: 1, now: c.now, sleep: c.sleep });
    await p.acquire();
    p.limited(1000);
    p.limited(1000); // a second worker hitting the same storm: no second halving
    expect(p.stats.rate).toBe(10);
    expect(p.stats.limited).toBe(2);
    await p.acquire();
    expect(c.now()).toBeGreaterThanOrEqual(1000);
  });

  it('grows ×1.5 per second of successes until the first 429, then by its step, up to its maximum', () => {
    const p = new Pacer({ rate: 10, max: 100, step: 1 });
    for (let i = 0; i < 10; i++) p.success();
    expect(p.stats.rate).toBe(15);
    p.limited(0);
    expect(p.stats.rate).toBe(7.5);
    for (let i = 0; i < 8; i++) p.success();
    expect(p.stats.rate).toBe(8.5);
    const capped = new Pacer({ rate: 10, max: 12 });
    for (let i = 0; i < 100; i++) capped.success();
    expect(capped.stats.rate).toBe(12);
  });
});

describe('Konnect error bodies', () => {
  it('core-entity validation errors, with go-kong#398 value. prefixes dropped', () => {
    const e = parseKonnectError({
      code: 3,
      message: 'validation error',
      details: [
        { '@type': 'type.googleapis.com/kong.admin.model.v1.ErrorDetail', type: 'ERROR_TYPE_FIELD', field: 'value.port', messages: ['must be <= 65535 but found 70000'] },
        { '@type': 'type.googleapis.com/kong.admin.model.v1.ErrorDetail', type: 'ERROR_TYPE_ENTITY', messages: ["missing properties: 'host'"] },
      ],
    });
    expect(e?.details).toEqual([
      { type: 'ERROR_TYPE_FIELD', field: 'port', messages: ['must be <= 65535 but found 70000'] },
      { type: 'ERROR_TYPE_ENTITY', field: undefined, messages: ["missing properties: 'host'"] },
    ]);
    expect(describeKonnectError(e!)).toBe("validation error: port: must be <= 65535 but found 70000; missing properties: 'host'");
  });

  it('problem+json from the platform APIs, and legacy {message}', () => {
    const p = parseKonnectError({ status: 400, title: 'Bad Request', detail: 'Invalid name', invalid_parameters: [{ field: 'name', reason: 'must have between 2 and 256 characters' }] });
    expect(describeKonnectError(p!)).toBe('Bad Request: Invalid name: name: must have between 2 and 256 characters');
    expect(parseKonnectError({ message: 'Unauthorized', status: 401 })).toEqual({ message: 'Unauthorized', details: [] });
    expect(parseKonnectError('text')).toBeNull();
  });
});
