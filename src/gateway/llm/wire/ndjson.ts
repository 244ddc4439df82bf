/**
 * Incremental newline-delimited JSON deframer (Cohere v1 and Ollama streams). Blank lines are
 * skipped; a line that is not JSON is a StreamFramingError. Only the unfinished line is retained.
 */
import { StringDecoder } from 'node:string_decoder';
import { StreamFramingError } from './errors.js';

export class NdjsonDeframer {
  private readonly decoder = new StringDecoder('utf8');
  private tail = '';

  feed(chunk: Uint8Array | string): unknown[] {
    const added = typeof chunk === 'string' ? chunk : this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const newline = added.lastIndexOf('\n');
    if (newline === -1) {
      this.tail += added;
      return [];
    }
    const lines = (this.tail + added.slice(0, newline)).split('\n');
    this.tail = added.slice(newline + 1);
    return parseLines(lines);
  }

  end(): unknown[] {
    const rest = this.tail + this.decoder.end();
    this.tail = '';
    return parseLines([rest]);
  }
}

function parseLines(lines: string[]): unknown[] {
  const out: unknown[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      throw new StreamFramingError(`invalid JSON line in stream: ${line.slice(0, 80)}`);
    }
  }
  return out;
}
