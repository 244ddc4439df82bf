import { describe, expect, it } from 'vitest';
import { filled, problems } from './check.js';

describe('request-termination schema', () => {
  it('accepts Kong configurations and fills status 503, echo false', () => {
    expect(problems('request-termination', {})).toEqual([]);
    expect(problems('request-termination', { status_code: 403, message: 'So long and thanks for all the fish!' })).toEqual([]);
    expect(problems('request-termination', { status_code: 200, body: '<h1>down</h1>', content_type: 'text/html' })).toEqual([]);
    expect(problems('request-termination', { echo: true, trigger: 'X-Debug' })).toEqual([]);
    expect(filled('request-termination', {})).toMatchObject({ status_code: 503, echo: false });
  });

  it("refuses what Kong refuses, with Kong's messages", () => {
    expect(problems('request-termination', { status_code: 600 })).toEqual(['status_code: value should be between 100 and 599']);
    expect(problems('request-termination', { message: 'x', body: 'y' })).toEqual([': message cannot be used with content_type or body']);
    expect(problems('request-termination', { content_type: 'text/plain' })).toEqual([': content_type requires a body']);
    expect(problems('request-termination', { echo: true, body: 'y' })).toEqual([': echo cannot be used with content_type and body']);
    expect(problems('request-termination', { statuscode: 200 })).toEqual(["statuscode: unknown field 'statuscode' (did you mean 'status_code'?)"]);
  });
});
