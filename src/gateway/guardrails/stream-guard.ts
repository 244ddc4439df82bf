/**
 * Guarding a streamed (SSE) answer: frames are held back until about `bufferChars` characters of
 * answer text arrived, or a frame that carries no text (`[DONE]`, a usage or stop frame) or ends a
 * choice; then the held text is checked and, if it passes, the held frames are released in order.
 * A refused segment ends the stream: its frames are dropped, the check's error frame is sent, and
 * every later chunk is swallowed. Frames split across network chunks are reassembled.
 */
import { StringDecoder } from 'node:string_decoder';
import { isObject } from '../llm/wire/openai-types.js';
import { CLIENT_FORMATS } from '../llm/formats/index.js';

/** Checks a segment of answer text: null when it passes, else the frame that ends the stream. */
export type SegmentCheck = (text: string) => Promise<string | null>;

interface FrameText { text: string; boundary: boolean }

function frameText(frame: string): FrameText {
  const data = frame.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
  let obj: unknown;
  try {
    obj = data === '' ? undefined : JSON.parse(data);
  } catch {
    obj = undefined;
  }
  if (!isObject(obj)) return { text: '', boundary: true };
  const fields = CLIENT_FORMATS.flatMap((f) => f.streamTextFields(obj));
  if (fields.length === 0) return { text: '', boundary: true };
  return { text: fields.map((f) => f.get()).join(''), boundary: fields.some((f) => f.final) };
}

export class StreamGuard {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private held = '';
  private pending = '';
  private ended = false;

  constructor(private readonly bufferChars: number, private readonly check: SegmentCheck) {}

  async feed(chunk: Buffer): Promise<Buffer> {
    if (this.ended) return Buffer.alloc(0);
    const text = this.partial + this.decoder.write(chunk);
    const frames = text.split(/\r?\n\r?\n/);
    this.partial = frames.pop() ?? '';
    let out = '';
    for (const f of frames) {
      const ft = frameText(f);
      this.held += `${f}\n\n`;
      this.pending += ft.text;
      if (!ft.boundary && this.pending.length < this.bufferChars) continue;
      const stop = this.pending.trim() === '' ? null : await this.check(this.pending);
      if (stop !== null) {
        this.ended = true;
        return Buffer.from(out + stop);
      }
      out += this.held;
      this.held = '';
      this.pending = '';
    }
    return Buffer.from(out);
  }
}
