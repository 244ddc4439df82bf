/**
 * The streamed half of `callProvider`: reads the first upstream bytes before answering (so garbage
 * or an immediate error event is still a clean 502), then deframes and translates lazily, one
 * group of chunks per upstream read, with constant memory. A 200 that ignored `stream` is replayed
 * as a short stream.
 */
import type { Readable } from 'node:stream';
import type { ProviderCallResult, StreamSummary, UpstreamHeaders } from './call-types.js';
import { bodyFailure, failure, ms, readBody } from './client-io.js';
import { chatChunk, textChunk, usageChunk } from '../wire/chunks.js';
import { StreamFramingError, TranslationError } from '../wire/errors.js';
import { framingForContentType } from '../wire/framing.js';
import type { CallSignal } from '../wire/abort.js';
import type { CanonicalChunk, CanonicalRequest, CanonicalResponse, ChunkDelta } from '../wire/openai-types.js';
import { StreamSession, translateResponse } from './translate.js';
import type { Provider, ProviderContext } from '../../providers/types.js';

/** A stream that broke after it started; the client already has a 200 and some chunks. */
export class LlmStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmStreamError';
  }
}

export interface StreamInput {
  body: Readable;
  headers: UpstreamHeaders;
  contentType: string | undefined;
  start: bigint;
  signal: CallSignal | undefined;
}

/** Chunks equivalent to a whole chat/text completion (role+text, finish, usage). */
function chunksOf(r: CanonicalResponse): CanonicalChunk[] {
  if (r.object === 'list') return [];
  const meta = { id: r.id, model: r.model, created: r.created };
  if (r.object === 'text_completion') {
    const c = r.choices[0];
    return [textChunk(meta, c?.text ?? ''), textChunk(meta, '', c?.finish_reason ?? 'stop'), usageChunk(meta, r.usage, false)];
  }
  const m = r.choices[0]?.message;
  const delta: ChunkDelta = { role: 'assistant', content: m?.content ?? '' };
  if (m?.tool_calls) delta.tool_calls = m.tool_calls.map((t, index) => ({ index, id: t.id, type: 'function', function: { ...t.function } }));
  return [chatChunk(meta, delta), chatChunk(meta, {}, r.choices[0]?.finish_reason ?? 'stop'), usageChunk(meta, r.usage, true)];
}

/**
 * The upstream ignored `stream` and answered one JSON body (e.g. a text-generation server without
 * streaming): translate it and replay it as a short stream. Not JSON → a clean 502.
 */
async function bufferedAsStream(provider: Provider, pctx: ProviderContext, req: CanonicalRequest, input: StreamInput): Promise<ProviderCallResult> {
  let json: unknown;
  try {
    json = JSON.parse((await readBody(input.body)).toString('utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) return failure('garbage', 502, 'The upstream LLM returned an invalid response (not JSON)', input.start);
    return bodyFailure(err, input.start, input.signal);
  }
  const response = translateResponse(provider, { ...pctx, stream: false }, req, 200, json);
  const latencyMs = ms(input.start);
  const usage = 'completion_tokens' in response.usage ? response.usage : { ...response.usage, completion_tokens: 0 };
  const list = chunksOf(response);
  async function* batches(): AsyncGenerator<CanonicalChunk[]> {
    if (list.length > 0) yield list;
  }
  const b = batches();
  return { ok: true, kind: 'stream', status: 200, headers: input.headers, chunks: flatten(b), batches: b, done: Promise.resolve({ usage, latencyMs, firstTokenMs: latencyMs, response }), model: pctx.model };
}

function streamError(err: unknown): string {
  if (err instanceof StreamFramingError || err instanceof TranslationError) return err.message;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'the upstream LLM stopped sending (read timeout)';
  return `the upstream LLM stream broke: ${(err as Error)?.message ?? String(err)}`;
}

/**
 * Reads the first upstream bytes before answering, so a 200 whose body is not a stream (garbage,
 * a plain JSON reply, an immediate error event) still becomes a clean 502 instead of a broken SSE.
 */
export async function startStream(provider: Provider, pctx: ProviderContext, req: CanonicalRequest, input: StreamInput): Promise<ProviderCallResult> {
  const expected = provider.framing(pctx);
  const framing = framingForContentType(input.contentType, expected);
  if (framing === 'json-array' && expected !== 'json-array') return bufferedAsStream(provider, pctx, req, input);
  const session = new StreamSession(provider, pctx, req, input.contentType);
  const iter = input.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first: CanonicalChunk[] = [];
  let firstDone = false;
  try {
    const r = await iter.next();
    if (r.done) firstDone = true;
    else first = session.feed(r.value);
  } catch (err) {
    input.body.destroy();
    if (input.signal?.aborted) throw input.signal.reason ?? err;
    if (err instanceof StreamFramingError || err instanceof TranslationError) return failure('garbage', 502, `The upstream LLM returned an invalid stream: ${err.message}`, input.start);
    return bodyFailure(err, input.start, input.signal);
  }
  let resolveDone!: (s: StreamSummary) => void;
  const done = new Promise<StreamSummary>((r) => (resolveDone = r));
  const state = { firstTokenMs: first.length > 0 ? ms(input.start) : null as number | null };
  async function* batches(): AsyncGenerator<CanonicalChunk[]> {
    let error: string | undefined;
    let finished = false;
    try {
      if (first.length > 0) yield first;
      first = [];
      if (!firstDone) {
        for (let r = await iter.next(); !r.done; r = await iter.next()) {
          const out = session.feed(r.value);
          if (out.length === 0) continue;
          state.firstTokenMs ??= ms(input.start);
          yield out;
        }
      }
      const tail = session.end();
      if (tail.length > 0) {
        state.firstTokenMs ??= ms(input.start);
        yield tail;
      }
      finished = true;
    } catch (err) {
      error = streamError(err);
      throw new LlmStreamError(error);
    } finally {
      if (!finished) input.body.destroy();
      const summary: StreamSummary = { usage: session.usage(), latencyMs: ms(input.start), firstTokenMs: state.firstTokenMs, response: session.composite() };
      if (error !== undefined) summary.error = error;
      else if (!finished) summary.error = 'the client stopped reading the stream';
      resolveDone(summary);
    }
  }
  const b = batches();
  return { ok: true, kind: 'stream', status: 200, headers: input.headers, chunks: flatten(b), batches: b, done, model: pctx.model };
}

async function* flatten(batches: AsyncIterable<CanonicalChunk[]>): AsyncGenerator<CanonicalChunk> {
  for await (const list of batches) yield* list;
}

