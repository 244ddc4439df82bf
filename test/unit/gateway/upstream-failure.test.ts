import { describe, expect, it } from 'vitest';
import { upstreamFailure } from '../../../src/gateway/upstream-failure.js';

const err = (fields: Record<string, unknown>): Error => Object.assign(new Error('x'), fields);

describe('upstreamFailure', () => {
  it('classifies timeouts as 504 and every other transport failure as 502', () => {
    expect(upstreamFailure(err({ code: 'UND_ERR_HEADERS_TIMEOUT' }))).toEqual({ kind: 'timeout', status: 504, code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(upstreamFailure(err({ code: 'ETIMEDOUT' }))?.status).toBe(504);
    expect(upstreamFailure(err({ code: 'HPE_INVALID_CONSTANT' }))).toEqual({ kind: 'protocol', status: 502, code: 'HPE_INVALID_CONSTANT' });
    // undici's parser error carries no code, only its name
    expect(upstreamFailure(err({ name: 'HTTPParserError' }))?.kind).toBe('protocol');
    expect(upstreamFailure(err({ code: 'ECONNRESET' }))).toEqual({ kind: 'connect', status: 502, code: 'ECONNRESET' });
    expect(upstreamFailure(err({ code: 'EAI_AGAIN' }))?.status).toBe(502);
    expect(upstreamFailure(err({ code: 'UND_ERR_SOCKET', cause: err({ code: 'EPIPE' }) }))?.code).toBe('EPIPE');
    expect(upstreamFailure(err({ code: 'UND_ERR_SOCKET' }))?.code).toBe('UND_ERR_SOCKET');
    expect(upstreamFailure(err({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))?.status).toBe(502);
    expect(upstreamFailure(err({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }))?.status).toBe(502);
  });

  it('leaves our own mistakes unclassified (they stay 500s)', () => {
    expect(upstreamFailure(new TypeError('x is not a function'))).toBeNull();
    expect(upstreamFailure(err({ code: 'ERR_INVALID_ARG_TYPE' }))).toBeNull();
    expect(upstreamFailure(err({ code: 'UND_ERR_INVALID_ARG' }))).toBeNull();
    expect(upstreamFailure('a string')).toBeNull();
    expect(upstreamFailure(null)).toBeNull();
  });
});
