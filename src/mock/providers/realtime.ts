import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { answer, conversation } from '../answer.js';
import type { GlobalFaults } from '../faults.js';
import { readFaults } from '../faults.js';
import { isRecord, list, str, textOf } from '../json.js';
import { bearer, header, statusText, type AuthConfig } from '../provider.js';
import type { Recorder } from '../recorder.js';

/**
 * OpenAI's Realtime API over WebSocket (`GET /v1/realtime?model=…`, and Azure's
 * `/openai/realtime?api-version=…&deployment=…`), deterministic: `session.created` on connect;
 * `conversation.item.create` with user text is remembered (`conversation.item.added`);
 * `response.create` answers the conversation as the chat mock would (answer.ts), in
 * `response.created`, `response.output_text.delta`…, `response.output_text.done` and
 * `response.done` (with usage); anything else is an `error` event. Credentials as for HTTP
 * (`Authorization: Bearer`, or Azure's `api-key`); `x-mock-status` refuses the upgrade with
 * that status.
 */

const PATHS = /^\/(?:v1|openai)\/realtime$/;

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code: null } });
  socket.end(`HTTP/1.1 ${status} ${statusText(status)}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

function session(ws: WebSocket, model: string): void {
  const texts: string[] = [];
  let seq = 0;
  const send = (event: Record<string, unknown>): void => {
    seq += 1;
    ws.send(JSON.stringify({ event_id: `event_${String(seq).padStart(4, '0')}`, ...event }));
  };
  const sessionId = `sess_${createHash('sha256').update(model).digest('hex').slice(0, 16)}`;
  send({ type: 'session.created', session: { id: sessionId, object: 'realtime.session', type: 'realtime', model, output_modalities: ['text'] } });
  ws.on('message', (data) => {
    let event: unknown;
    try {
      event = JSON.parse(String(data));
    } catch {
      event = undefined;
    }
    const type = isRecord(event) ? str(event.type) : undefined;
    if (type === 'conversation.item.create' && isRecord(event)) {
      const item = isRecord(event.item) ? event.item : {};
      texts.push(textOf(list(item.content).map((c) => (isRecord(c) && typeof c.text === 'string' ? { text: c.text } : c))));
      send({ type: 'conversation.item.added', item: { ...item, id: `item_${String(texts.length).padStart(4, '0')}`, status: 'completed' } });
      return;
    }
    if (type === 'response.create') {
      const a = answer(conversation({ texts, lastUser: texts.at(-1) ?? '' }));
      const id = `resp_${a.digest.slice(0, 16)}`;
      send({ type: 'response.created', response: { id, object: 'realtime.response', status: 'in_progress', output: [] } });
      for (const delta of a.pieces) send({ type: 'response.output_text.delta', response_id: id, item_id: `item_${id}`, output_index: 0, content_index: 0, delta });
      send({ type: 'response.output_text.done', response_id: id, item_id: `item_${id}`, output_index: 0, content_index: 0, text: a.text });
      const usage = { total_tokens: a.promptTokens + a.completionTokens, input_tokens: a.promptTokens, output_tokens: a.completionTokens };
      send({ type: 'response.done', response: { id, object: 'realtime.response', status: 'completed', output: [{ id: `item_${id}`, type: 'message', role: 'assistant', content: [{ type: 'output_text', text: a.text }] }], usage } });
      texts.push(a.text);
      return;
    }
    send({ type: 'error', error: { type: 'invalid_request_error', code: 'unknown_event', message: `aigw mock: unsupported event type '${type ?? '(none)'}'` } });
  });
}

export interface RealtimeDeps {
  auth: AuthConfig;
  globals: GlobalFaults;
  recorder: Recorder;
}

/** Handles a WebSocket upgrade on the mock's server; other upgrades get a 404. */
export function realtimeUpgrader(deps: RealtimeDeps): { upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void; close(): void } {
  const wss = new WebSocketServer({ noServer: true });
  return {
    upgrade(req, socket, head) {
      socket.on('error', () => undefined);
      const url = new URL(req.url ?? '/', 'http://mock');
      deps.recorder.add('GET', url.pathname, url.search.slice(1), req.headers, Buffer.alloc(0), 'openai');
      if (!PATHS.test(url.pathname)) return refuse(socket, 404, `aigw mock: no WebSocket route for ${url.pathname}`);
      const key = (header(req.headers, 'api-key') ?? '').trim() || bearer(req.headers);
      if (key === '' || (deps.auth.requireKey !== undefined && key !== deps.auth.requireKey)) return refuse(socket, 401, 'Incorrect API key provided.');
      const faults = readFaults(req.headers, deps.globals);
      if (faults.status !== undefined) return refuse(socket, faults.status, `${statusText(faults.status)} (aigw mock)`);
      const model = url.searchParams.get('model') ?? url.searchParams.get('deployment');
      if (model === null) return refuse(socket, 400, "Missing required parameter: 'model'.");
      wss.handleUpgrade(req, socket, head, (ws) => session(ws, model));
    },
    close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
