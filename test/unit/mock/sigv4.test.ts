import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { expectedSignature, parseSigV4, signatureMatches } from '../../../src/mock/sigv4.js';
import { call } from './client.js';

// AWS's published SigV4 test suite (aws-sig-v4-test-suite): credentials and expected signatures.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const vanilla = (signature: string) => parseSigV4(`AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`);
const headers = { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' };

describe('sigv4 against the AWS test suite', () => {
  it('get-vanilla', () => {
    const auth = vanilla('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    if (auth === undefined) throw new Error('unparsed');
    const req = { method: 'GET', path: '/', queryString: '', headers, body: Buffer.alloc(0) };
    expect(expectedSignature(req, auth, SECRET)).toBe(auth.signature);
    expect(signatureMatches(req, auth, SECRET)).toBe(true);
    expect(signatureMatches(req, auth, 'other-secret')).toBe(false);
  });

  it('post-vanilla', () => {
    const auth = vanilla('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
    if (auth === undefined) throw new Error('unparsed');
    expect(signatureMatches({ method: 'POST', path: '/', queryString: '', headers, body: Buffer.alloc(0) }, auth, SECRET)).toBe(true);
  });

  it('get-vanilla-query-order-key-case (query sorted)', () => {
    const auth = vanilla('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
    if (auth === undefined) throw new Error('unparsed');
    expect(signatureMatches({ method: 'GET', path: '/', queryString: 'Param2=value2&Param1=value1', headers, body: Buffer.alloc(0) }, auth, SECRET)).toBe(true);
  });

  it('rejects malformed headers', () => {
    expect(parseSigV4('AWS4-HMAC-SHA256 Credential=AK/2015/us-east-1/service/aws4_request, SignedHeaders=host, Signature=abc')).toBeUndefined();
    expect(parseSigV4('Bearer x')).toBeUndefined();
  });
});

/** A minimal client-side signer written from the AWS documentation, for the end-to-end check. */
function sign(url: URL, body: string, akid: string, secret: string): Record<string, string> {
  const amzDate = '20240101T000000Z';
  const date = amzDate.slice(0, 8);
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  const h = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
  const path = url.pathname
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  const signed = 'content-type;host;x-amz-date';
  const creq = ['POST', path, '', `content-type:application/json\nhost:${url.host}\nx-amz-date:${amzDate}\n`, signed, hash(body)].join('\n');
  const scope = `${date}/us-east-1/bedrock/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, hash(creq)].join('\n');
  const key = h(h(h(h(`AWS4${secret}`, date), 'us-east-1'), 'bedrock'), 'aws4_request');
  const signature = createHmac('sha256', key).update(sts).digest('hex');
  return { 'x-amz-date': amzDate, authorization: `AWS4-HMAC-SHA256 Credential=${akid}/${scope}, SignedHeaders=${signed}, Signature=${signature}` };
}

describe('bedrock with awsSecretKey verifies signatures', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock({ awsSecretKey: 'topsecret' });
  });
  afterAll(async () => {
    await mock.close();
  });

  it('accepts a correct signature (model id with an encoded colon) and rejects a tampered body or wrong secret', async () => {
    const url = new URL(`${mock.url}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`);
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'What is 1 + 1?' }] }] });
    const good = await call(url.toString(), { headers: sign(url, body, 'AKID', 'topsecret'), body });
    expect(good.status).toBe(200);
    const tampered = await call(url.toString(), { headers: sign(url, body, 'AKID', 'topsecret'), body: body.replace('1 + 1', '2 + 2') });
    expect(tampered.status).toBe(403);
    expect(tampered.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
    const wrong = await call(url.toString(), { headers: sign(url, body, 'AKID', 'nope'), body });
    expect(wrong.status).toBe(403);
  });
});
