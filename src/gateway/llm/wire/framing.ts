/**
 * One deframer interface over the four upstream stream framings. The pipeline picks the framing
 * from `Provider.framing(ctx)`, feeds raw bytes, and hands each FramedEvent to the provider's
 * stream translator.
 */
import { AwsEventStreamDeframer, type HeaderValue } from './aws-eventstream.js';
import { JsonArrayDeframer } from './json-array.js';
import { NdjsonDeframer } from './ndjson.js';
import { SseDeframer } from './sse.js';

export type Framing = 'sse' | 'ndjson' | 'json-array' | 'aws-eventstream';

export type FramedEvent =
  | { kind: 'sse'; event?: string; data: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'aws'; headers: Record<string, HeaderValue>; payload: Buffer };

export interface Deframer {
  feed(chunk: Uint8Array): FramedEvent[];
  end(): FramedEvent[];
}

export function createDeframer(framing: Framing): Deframer {
  switch (framing) {
    case 'sse': {
      const d = new SseDeframer();
      const map = (evs: ReturnType<SseDeframer['feed']>): FramedEvent[] =>
        evs.map((e) => (e.event === undefined ? { kind: 'sse', data: e.data } : { kind: 'sse', event: e.event, data: e.data }));
      return { feed: (c) => map(d.feed(c)), end: () => map(d.end()) };
    }
    case 'ndjson':
    case 'json-array': {
      const d = framing === 'ndjson' ? new NdjsonDeframer() : new JsonArrayDeframer();
      const map = (vs: unknown[]): FramedEvent[] => vs.map((value) => ({ kind: 'json', value }));
      return { feed: (c) => map(d.feed(c)), end: () => map(d.end()) };
    }
    case 'aws-eventstream': {
      const d = new AwsEventStreamDeframer();
      const map = (ms: ReturnType<AwsEventStreamDeframer['feed']>): FramedEvent[] =>
        ms.map((m) => ({ kind: 'aws', headers: m.headers, payload: m.payload }));
      return { feed: (c) => map(d.feed(c)), end: () => map(d.end()) };
    }
  }
}

/** The JSON carried by an event: SSE `data` parsed, NDJSON/array values as-is, AWS payload parsed. Null for `[DONE]` or non-JSON. */
export function eventJson(ev: FramedEvent): unknown {
  if (ev.kind === 'json') return ev.value;
  const text = ev.kind === 'sse' ? ev.data : ev.payload.toString('utf8');
  if (text === '[DONE]' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The framing an upstream reply actually uses, from its Content-Type (as Kong decides, kong.md §2.4);
 * `expected` (the provider's `framing(ctx)`) when the type says nothing more specific. JSON bodies use
 * the JSON-array deframer, which also accepts concatenated or newline-separated objects.
 */
export function framingForContentType(contentType: string | undefined, expected: Framing): Framing {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/event-stream') return 'sse';
  if (type === 'application/vnd.amazon.eventstream') return 'aws-eventstream';
  if (type === 'application/x-ndjson' || type === 'application/jsonl') return 'ndjson';
  if (type === 'application/json' || type === 'application/stream+json') return expected === 'ndjson' ? 'ndjson' : 'json-array';
  return expected;
}
