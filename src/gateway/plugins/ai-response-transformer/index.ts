/**
 * ai-response-transformer (kong.md §1.7): an LLM rewrites the upstream response
 * before the client gets it. Runs in the `response` phase on the buffered upstream answer (Kong
 * makes the upstream call itself in `access`; the result is the same): the LLM gets
 * `[system: prompt, user: <raw upstream body>]`, and its answer (optionally the first match of
 * `transformation_extract_pattern`) replaces the body; status and headers stay the upstream's.
 * With `parse_llm_response_json_instructions`, the answer is read as `{status, headers, body}`:
 * headers override the upstream's, status defaults to 200, and a non-string body is sent as JSON.
 * Errors: 400 `failed to introspect request with AI service: …`, 400 `AI response did not match
 * specified regular expression`, 500 `failed to parse JSON response instructions from AI backend: …`.
 *
 * Streamed (SSE) answers pass through untransformed: only buffered responses are rewritten.
 */
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import type { BufferedResponse, HeaderMap, HeaderValue } from '../../context.js';
import type { KongPlugin } from '../../plugin.js';
import { isObject } from '../../llm/wire/openai-types.js';
import { aiError } from '../../llm/formats/request.js';
import { createIntrospector, logTransformer } from '../ai-request-transformer/index.js';

interface Instructions {
  status: number;
  headers: Record<string, HeaderValue>;
  body: string;
}

/** Kong's `parse_json_instructions`: `{status?, headers?, body?}`; without `body` the whole object is the body. */
export function parseInstructions(text: string): Instructions {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw aiError(500, `failed to parse JSON response instructions from AI backend: ${(err as Error).message}`);
  }
  if (!isObject(v)) throw aiError(500, 'failed to parse JSON response instructions from AI backend: input not table or string');
  const headers: Record<string, HeaderValue> = {};
  if (isObject(v.headers)) {
    for (const [k, x] of Object.entries(v.headers)) if (typeof x === 'string' || typeof x === 'number') headers[k.toLowerCase()] = String(x);
  }
  const rawBody = v.body ?? v;
  const body = typeof rawBody === 'string' ? rawBody : JSON.stringify(rawBody);
  const status = typeof v.status === 'number' && Number.isInteger(v.status) && v.status >= 100 && v.status <= 599 ? v.status : 200;
  return { status, headers, body };
}

function first(h: HeaderMap, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The upstream body as text, decompressed when the upstream compressed it. */
function plainBody(res: BufferedResponse): string {
  const enc = (first(res.headers, 'content-encoding') ?? '').trim().toLowerCase();
  let buf = res.body;
  if (enc === 'gzip' || enc === 'x-gzip') buf = gunzipSync(buf);
  else if (enc === 'deflate') buf = inflateSync(buf);
  else if (enc === 'br') buf = brotliDecompressSync(buf);
  return buf.toString('utf8');
}

export const aiResponseTransformer: KongPlugin<'ai-response-transformer'> = {
  name: 'ai-response-transformer',
  create(c, deps) {
    const introspector = createIntrospector('ai-response-transformer', c, deps);
    return {
      async response(ctx, res) {
        const text = await introspector.run(ctx, plainBody(res));
        for (const h of ['content-length', 'content-encoding', 'transfer-encoding']) delete res.headers[h];
        if (!c.parse_llm_response_json_instructions) {
          res.body = Buffer.from(text);
          return;
        }
        const ins = parseInstructions(text);
        res.status = ins.status;
        Object.assign(res.headers, ins.headers);
        res.body = Buffer.from(ins.body);
      },
      log(ctx, rec) {
        logTransformer(ctx, rec, 'ai-response-transformer');
      },
    };
  },
};
