/** What the Konnect test server saw: every request (for assertions), counters, and the tokens presented. */
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export class Traffic {
  readonly requests: RecordedRequest[] = [];
  readonly stats = { total: 0, served: 0, rateLimited: 0, faults: 0 };
  private readonly seen = new Set<string>();

  sawToken(token: string | undefined): void {
    if (token) this.seen.add(token);
  }

  record(rec: RecordedRequest): void {
    this.requests.push(rec);
    this.stats.total++;
    if (rec.status === 429) this.stats.rateLimited++;
    else this.stats.served++;
  }

  tokens(): string[] {
    return [...this.seen];
  }

  /** Presented tokens that occur in `text`. */
  leaked(text: string): string[] {
    return this.tokens().filter((t) => text.includes(t));
  }

  /** Requests that carried a token anywhere but the Authorization header. */
  leakingRequests(): RecordedRequest[] {
    return this.requests.filter((r) => {
      const { authorization: _auth, ...others } = r.headers;
      return this.leaked(`${r.url}\n${r.body}\n${JSON.stringify(others)}`).length > 0;
    });
  }

  clear(): void {
    this.requests.splice(0, this.requests.length);
  }
}
