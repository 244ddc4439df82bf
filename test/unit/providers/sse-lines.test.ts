/**
 * The SSE deframer finds the lines of LF-only text with indexOf (the fast path) and of text with CRs
 * char by char. Both must give exactly the events of the char-by-char reference below (the
 * deframer's loop before the fast path), for every way the bytes can be split into chunks.
 */
import { describe, expect, it } from 'vitest';
import { SseDeframer, type SseEvent } from '../../../src/gateway/llm/wire/sse.js';

/** The reference: the whole text at once, one char at a time (the spec's line rules). */
function reference(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  const dispatch = (): void => {
    if (data.length > 0) {
      const ev: SseEvent = { data: data.join('\n') };
      if (event !== undefined) ev.event = event;
      if (id !== undefined) ev.id = id;
      out.push(ev);
    }
    data = [];
    event = undefined;
  };
  const line = (l: string): void => {
    if (l === '') return dispatch();
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  };
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\n' && c !== '\r') continue;
    line(text.slice(start, i));
    if (c === '\r' && text[i + 1] === '\n') i++;
    start = i + 1;
  }
  if (start < text.length) line(text.slice(start));
  dispatch();
  return out;
}

function deframe(chunks: string[]): SseEvent[] {
  const d = new SseDeframer();
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...d.feed(Buffer.from(c)));
  out.push(...d.end());
  return out;
}

/** Deterministic pseudo-random splits (no flakiness, many shapes). */
function splits(text: string, seed: number): string[] {
  let x = seed;
  const next = (): number => (x = (x * 1103515245 + 12345) & 0x7fffffff);
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const n = 1 + (next() % 40);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

const OPENAI = [
  'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hé"},"finish_reason":null}]}\n\n',
  ': keep-alive comment\n\n',
  'event: message_delta\ndata: {"a":1}\ndata: {"b":2}\nid: 7\n\n',
  'data:no-space\n\ndata\n\n',
  'data: [DONE]\n\n',
].join('');

describe('SseDeframer line splitting', () => {
  const texts: Array<[string, string]> = [
    ['LF only', OPENAI],
    ['CRLF', OPENAI.replaceAll('\n', '\r\n')],
    ['CR only', OPENAI.replaceAll('\n', '\r')],
    ['mixed, CR at chunk ends', OPENAI.replace('\n\n', '\r\n\r\n').replace(': keep', '\r: keep')],
    ['LF only, no final blank line', 'data: a\n\ndata: b'],
    ['CRLF, no final blank line', 'data: a\r\n\r\ndata: b\r'],
  ];
  for (const [name, text] of texts) {
    it(`${name}: whole, byte by byte and in random chunks give the reference events`, () => {
      const want = reference(text);
      expect(want.length).toBeGreaterThan(0);
      expect(deframe([text])).toEqual(want);
      expect(deframe([...text])).toEqual(want);
      for (let seed = 1; seed <= 30; seed++) expect(deframe(splits(text, seed))).toEqual(want);
    });
  }

  it('a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('data: é€😀\n\n');
    const d = new SseDeframer();
    const out: SseEvent[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...d.feed(bytes.subarray(i, i + 1)));
    expect(out).toEqual([{ data: 'é€😀' }]);
  });
});
