/**
 * Puts original values back where the LLM answered with placeholders: in a buffered JSON body
 * (every string value, whatever the response format), and in an SSE stream, where one
 * placeholder may be split across several deltas or network chunks.
 *
 * Stream contract: text that could still be the beginning of a placeholder is held back (per
 * choice / content block) and released with the next delta, the choice's final chunk, or as a
 * synthetic delta frame before the next frame that carries no text (`[DONE]`, a usage chunk,
 * Anthropic's `content_block_stop`). Frames split across network chunks are reassembled.
 */
import { StringDecoder } from 'node:string_decoder';
import { isObject } from '../../llm/wire/openai-types.js';
import { CLIENT_FORMATS, type StreamTextField } from '../../llm/formats/index.js';

export class Restorer {
  private readonly pattern: RegExp | null;
  private readonly prefixes = new Set<string>();
  private readonly longest: number;

  constructor(readonly map: ReadonlyMap<string, string>) {
    const keys = [...map.keys()].sort((a, b) => b.length - a.length);
    this.pattern = keys.length ? new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
    for (const k of keys) for (let i = 1; i < k.length; i++) this.prefixes.add(k.slice(0, i));
    this.longest = keys[0]?.length ?? 0;
  }

  text(s: string): string {
    if (this.pattern === null) return s;
    return s.replace(this.pattern, (p) => this.map.get(p) ?? p);
  }

  /** Length of the longest suffix of `s` that is a proper prefix of a placeholder. */
  heldBack(s: string): number {
    for (let n = Math.min(this.longest - 1, s.length); n > 0; n--) if (this.prefixes.has(s.slice(s.length - n))) return n;
    return 0;
  }

  /** Every string inside a JSON value, restored in place; returns the (possibly new) value. */
  json(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = this.json(v[i]);
      return v;
    }
    if (isObject(v)) for (const k of Object.keys(v)) v[k] = this.json(v[k]);
    return v;
  }

  /** A buffered response body: JSON is walked; anything else is restored as text. */
  body(buf: Buffer): Buffer {
    const raw = buf.toString('utf8');
    try {
      return Buffer.from(JSON.stringify(this.json(JSON.parse(raw))));
    } catch {
      return Buffer.from(this.text(raw));
    }
  }
}

interface Pending { text: string; field: StreamTextField; prefix: string }

export class StreamRestorer {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private readonly carry = new Map<string, Pending>();

  constructor(private readonly r: Restorer) {}

  /** Restore one network chunk; incomplete frames wait for the next chunk. */
  feed(chunk: Buffer): Buffer {
    const text = this.partial + this.decoder.write(chunk);
    const frames = text.split(/\r?\n\r?\n/);
    this.partial = frames.pop() ?? '';
    let out = '';
    for (const f of frames) out += this.frame(f);
    return Buffer.from(out);
  }

  private flush(): string {
    let out = '';
    for (const p of this.carry.values()) if (p.text !== '') out += `${p.prefix}data: ${JSON.stringify(p.field.synth(p.text))}\n\n`;
    this.carry.clear();
    return out;
  }

  private frame(frame: string): string {
    const lines = frame.split(/\r?\n/);
    const dataLines = lines.filter((l) => l.startsWith('data:'));
    const prefix = lines.filter((l) => !l.startsWith('data:')).map((l) => `${l}\n`).join('');
    const data = dataLines.map((l) => l.slice(5).replace(/^ /, '')).join('\n');
    let obj: unknown;
    try {
      obj = dataLines.length ? JSON.parse(data) : undefined;
    } catch {
      obj = undefined;
    }
    if (!isObject(obj)) return `${this.flush()}${this.r.text(frame)}\n\n`;
    const fields = CLIENT_FORMATS.flatMap((f) => f.streamTextFields(obj));
    if (fields.length === 0) return `${this.flush()}${prefix}data: ${JSON.stringify(this.r.json(obj))}\n\n`;
    for (const f of fields) {
      const restored = this.r.text((this.carry.get(f.key)?.text ?? '') + f.get());
      const hold = f.final ? 0 : this.r.heldBack(restored);
      f.set(restored.slice(0, restored.length - hold));
      this.carry.set(f.key, { text: restored.slice(restored.length - hold), field: f, prefix });
    }
    return `${prefix}data: ${JSON.stringify(obj)}\n\n`;
  }
}
