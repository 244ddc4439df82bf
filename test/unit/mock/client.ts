import { request } from 'undici';

/** Small undici wrappers for the mock tests. */

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

export async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Res> {
  const res = await request(url, {
    method: (init.method ?? (init.body === undefined ? 'GET' : 'POST')) as 'GET' | 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    headersTimeout: init.timeoutMs ?? 10_000,
    bodyTimeout: init.timeoutMs ?? 10_000,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

/** Parses an SSE transcript into events. */
export function parseSse(text: string): Array<{ event?: string; data: string }> {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return event === undefined ? { data } : { event, data };
    });
}

export function ndjson(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** Walks into parsed JSON: at(v, 'choices', 0, 'message') ; undefined when a step is missing. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let cur: unknown = value;
  for (const step of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return cur;
}
