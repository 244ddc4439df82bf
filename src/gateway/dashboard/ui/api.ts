/**
 * The dashboard's connection to the gateway: JSON reads and the live event stream, both carrying
 * `Kong-Admin-Token` when the gateway asks for one (so the stream is read with fetch, not
 * EventSource, which cannot send headers). The stream reconnects with a growing delay.
 */
const TOKEN_KEY = 'aigw-admin-token';

export class Unauthorized extends Error {}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(t: string): void {
  sessionStorage.setItem(TOKEN_KEY, t);
}

function headers(): Record<string, string> {
  const t = token();
  return t ? { 'kong-admin-token': t } : {};
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`api/${path}`, { headers: headers(), cache: 'no-store' });
  if (res.status === 401) throw new Unauthorized('this gateway requires its --admin-token');
  const body = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(body.message ?? `HTTP ${res.status}`);
  return body;
}

export type StreamState = 'connecting' | 'live' | 'offline' | 'unauthorized';

export interface StreamHandlers {
  onEvent(event: string, data: unknown): void;
  onState(state: StreamState): void;
}

/** Parse `event:`/`data:` frames from a text stream. */
function frames(onFrame: (event: string, data: string) => void): (chunk: string) => void {
  let buf = '';
  return (chunk) => {
    buf += chunk;
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) onFrame(event, data.join('\n'));
    }
  };
}

/** Keep the event stream open until `stop()`. */
export function openStream(h: StreamHandlers): { stop(): void } {
  let stopped = false;
  let abort: AbortController | null = null;
  let delay = 1000;
  const run = async (): Promise<void> => {
    while (!stopped) {
      h.onState('connecting');
      abort = new AbortController();
      try {
        const res = await fetch('api/events', { headers: headers(), signal: abort.signal, cache: 'no-store' });
        if (res.status === 401) {
          h.onState('unauthorized');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        h.onState('live');
        delay = 1000;
        const push = frames((event, data) => h.onEvent(event, JSON.parse(data)));
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          push(value);
        }
      } catch {
        // offline or aborted: retry below
      }
      if (stopped) return;
      h.onState('offline');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void run();
  return {
    stop() {
      stopped = true;
      abort?.abort();
    },
  };
}
