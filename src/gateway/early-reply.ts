/**
 * Answers sent before the request body was read (a 413 by Content-Length, a 401 in front of an
 * upload, a body over a limit): the client may still be sending. Closing the socket then makes
 * the kernel reset the connection and the client loses the answer it has not read yet, so, as
 * nginx's lingering close does, the answer says `Connection: close`, the gateway half-closes
 * after it, and reads and discards what the client still sends for a bounded time before closing.
 *
 * `Expect: 100-continue` is answered only when something reads the body (`continueBody`), never
 * automatically: a request refused up front then never makes the client upload at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Longest the gateway keeps reading a refused body after answering (nginx: lingering_time 30 s). */
export const LINGER_MAX_MS = 10_000;
/** Longest pause in the client's sending before the socket is closed (nginx: lingering_timeout 5 s). */
export const LINGER_IDLE_MS = 2_000;

/** Whether the request announced a body (Content-Length > 0 or chunked) that was not read to the end. */
export function bodyUnread(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const cl = req.headers['content-length'];
  return (cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const CONTINUED = new WeakSet<IncomingMessage>();

/** Send `100 Continue` once, when the client asked for it and the body is about to be read. */
export function continueBody(req: IncomingMessage, res: ServerResponse): void {
  if (CONTINUED.has(req) || res.headersSent) return;
  CONTINUED.add(req);
  if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
}

/** Read and discard what the client still sends, then close: never a reset while an answer is unread. */
function linger(socket: Socket): void {
  socket.removeAllListeners('data');
  let idle: NodeJS.Timeout;
  const close = (): void => {
    clearTimeout(idle);
    clearTimeout(max);
    socket.destroy();
  };
  const max = setTimeout(close, LINGER_MAX_MS);
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(close, LINGER_IDLE_MS);
  };
  touch();
  socket.on('data', touch);
  socket.once('end', close);
  socket.once('error', close);
  socket.end();
  socket.resume();
}

/**
 * Call before sending an answer. When the body is still unread, the answer closes the connection
 * (the rest of the body must not be taken for the next request) and the close lingers.
 */
export function prepareEarlyReply(req: IncomingMessage, res: ServerResponse): void {
  if (!bodyUnread(req) || res.headersSent) return;
  res.setHeader('connection', 'close');
  const socket = req.socket as Socket & { destroySoon?: () => void };
  // node closes a `Connection: close` socket with destroySoon() once the answer is written
  socket.destroySoon = () => linger(socket);
}

/**
 * Whether the client went away before its answer was complete (it closed or reset the connection,
 * or aborted its body). Nothing can be sent then, and it is no gateway error: it is logged as
 * nginx does, status 499, at debug level.
 */
export function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  if (res.writableFinished) return false;
  return res.destroyed || req.socket.destroyed || (req.destroyed && !req.complete);
}
