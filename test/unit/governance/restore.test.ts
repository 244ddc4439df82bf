import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Restorer, StreamRestorer } from '../../../src/gateway/plugins/aigw-pii-sanitizer/restore.js';

const map = new Map([['<EMAIL_1>', 'ann@example.com'], ['<EMAIL_2>', 'bob@example.com'], ['<IP_1>', '10.0.0.1']]);
const r = new Restorer(map);
const frame = (content: string | null, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;

function textOf(sse: string): string {
  let out = '';
  for (const block of sse.split('\n\n')) {
    const line = block.split('\n').find((l) => l.startsWith('data: '));
    if (!line || line === 'data: [DONE]') continue;
    const j = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string }; text?: string }>; delta?: { text?: string } };
    for (const c of j.choices ?? []) out += c.delta?.content ?? c.text ?? '';
    out += j.delta?.text ?? '';
  }
  return out;
}

describe('Restorer', () => {
  it('restores text and every string of a JSON body', () => {
    expect(r.text('to <EMAIL_1> and <EMAIL_2>, not <EMAIL_3>')).toBe('to ann@example.com and bob@example.com, not <EMAIL_3>');
    const body = Buffer.from(JSON.stringify({ choices: [{ message: { content: 'hi <EMAIL_1>' } }], content: [{ type: 'text', text: '<IP_1>' }] }));
    expect(JSON.parse(r.body(body).toString())).toEqual({ choices: [{ message: { content: 'hi ann@example.com' } }], content: [{ type: 'text', text: '10.0.0.1' }] });
    expect(r.body(Buffer.from('plain <IP_1>')).toString()).toBe('plain 10.0.0.1');
  });

  it('holds back only suffixes that can start a placeholder', () => {
    expect(r.heldBack('hello <EMA')).toBe(4);
    expect(r.heldBack('hello <')).toBe(1);
    expect(r.heldBack('hello <X')).toBe(0);
    expect(r.heldBack('a <b')).toBe(0);
    expect(new Restorer(new Map()).heldBack('<')).toBe(0);
  });
});

describe('StreamRestorer', () => {
  it('restores a placeholder split across deltas and releases it with the next delta', () => {
    const s = new StreamRestorer(r);
    const a = s.feed(Buffer.from(frame('Write to <EMA')));
    expect(textOf(a.toString())).toBe('Write to ');
    const b = s.feed(Buffer.from(frame('IL_1> now')));
    expect(textOf(b.toString())).toBe('ann@example.com now');
  });

  it('flushes held text into the final chunk and before [DONE]', () => {
    const s = new StreamRestorer(r);
    let out = s.feed(Buffer.from(frame('x <EMAIL_')));
    out = Buffer.concat([out, s.feed(Buffer.from(frame(null, 'stop')))]);
    expect(textOf(out.toString())).toBe('x <EMAIL_');
    const t = new StreamRestorer(r);
    let o2 = t.feed(Buffer.from(frame('y <IP')));
    o2 = Buffer.concat([o2, t.feed(Buffer.from('data: [DONE]\n\n'))]);
    expect(o2.toString().endsWith('data: [DONE]\n\n')).toBe(true);
    expect(textOf(o2.toString())).toBe('y <IP');
  });

  it('reassembles frames split across network chunks and multi-byte characters', () => {
    const s = new StreamRestorer(r);
    const all = Buffer.from(frame('é <EMAIL_2> ü') + frame('end', 'stop') + 'data: [DONE]\n\n');
    let out = '';
    for (let i = 0; i < all.length; i += 7) out += s.feed(all.subarray(i, i + 7)).toString();
    expect(textOf(out)).toBe('é bob@example.com ü' + 'end');
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('handles Anthropic content_block_delta events and keeps event lines', () => {
    const s = new StreamRestorer(r);
    const ev = (text: string) => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`;
    let out = s.feed(Buffer.from(ev('hi <EM')));
    out = Buffer.concat([out, s.feed(Buffer.from(ev('AIL_1>!'))), s.feed(Buffer.from(`event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n`))]);
    expect(textOf(out.toString())).toBe('hi ann@example.com!');
    expect(out.toString()).toContain('event: content_block_delta\n');
  });

  it('any split of the answer into deltas restores the same text (property)', () => {
    const answer = 'Dear <EMAIL_1>, your host <IP_1> and <EMAIL_2> <EM <EMAIL_9>.';
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: answer.length - 1 }), { maxLength: 12 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const pieces: string[] = [];
      let last = 0;
      for (const p of points) {
        pieces.push(answer.slice(last, p));
        last = p;
      }
      pieces.push(answer.slice(last));
      const s = new StreamRestorer(r);
      let out = '';
      for (const p of pieces) out += s.feed(Buffer.from(frame(p))).toString();
      out += s.feed(Buffer.from(frame(null, 'stop') + 'data: [DONE]\n\n')).toString();
      return textOf(out) === r.text(answer);
    }));
  });
});
