/**
 * Incremental JSON-array deframer: Gemini streams `[{…},\r\n{…}\r\n]` as one JSON array written
 * piece by piece. Each complete top-level object is parsed and returned as soon as its closing brace
 * arrives; only the object being assembled is retained. A bare top-level object (no array) works too.
 */
import { StringDecoder } from 'node:string_decoder';
import { StreamFramingError } from './errors.js';

export class JsonArrayDeframer {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;

  feed(chunk: Uint8Array | string): unknown[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    return this.scan(text);
  }

  end(): unknown[] {
    const out = this.scan(this.decoder.end());
    if (this.depth > 0) throw new StreamFramingError('stream ended inside a JSON object');
    return out;
  }

  private scan(text: string): unknown[] {
    const out: unknown[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (this.depth === 0) {
        if (ch === '{') {
          this.depth = 1;
          start = i;
        } else if (ch !== '[' && ch !== ']' && ch !== ',' && ch.trim() !== '') {
          throw new StreamFramingError(`unexpected character '${ch}' between JSON array elements`);
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') this.depth++;
      else if (ch === '}' || ch === ']') {
        this.depth--;
        if (this.depth === 0) {
          out.push(parseElement(this.buf + text.slice(start, i + 1)));
          this.buf = '';
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start !== -1) this.buf += text.slice(start);
    return out;
  }
}

function parseElement(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StreamFramingError(`invalid JSON element in stream: ${text.slice(0, 80)}`);
  }
}
