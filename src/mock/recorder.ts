import type { IncomingHttpHeaders } from 'node:http';
import { parseBody } from './json.js';

/** One request the mock received, as gateway tests inspect it. */
export interface Recorded {
  method: string;
  /** URL path without the query. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when empty or not JSON (see `raw`). */
  body: unknown;
  raw: string;
  /** The provider whose route matched, if any. */
  provider?: string;
  /** The status the mock answered; 0 while pending, for hangs, and for requests still streaming. */
  status: number;
}

interface Entry {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  provider?: string;
  status: number;
}

/** A ring of the last `max` requests. Entries are stored raw and shaped only when read. */
export class Recorder {
  private entries: Entry[] = [];

  constructor(private readonly max: number) {}

  add(method: string, path: string, query: string, headers: IncomingHttpHeaders, raw: Buffer, provider: string | undefined): Entry {
    const entry: Entry = { method, path, query, headers, raw, provider, status: 0 };
    if (this.max <= 0) return entry;
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    return entry;
  }

  list(): Recorded[] {
    return this.entries.map((e) => {
      const parsed = parseBody(e.raw);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(e.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      return {
        method: e.method,
        path: e.path,
        query: Object.fromEntries(new URLSearchParams(e.query)),
        headers,
        body: parsed instanceof Error ? undefined : parsed,
        raw: e.raw.toString('utf8'),
        ...(e.provider === undefined ? {} : { provider: e.provider }),
        status: e.status,
      };
    });
  }

  clear(): void {
    this.entries = [];
  }
}
