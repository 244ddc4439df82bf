/**
 * The engine of Kong's guardrail plugins (ai-lakera-guard, ai-azure-content-safety,
 * ai-custom-guardrail…): each plugin only says how to ask its service (`check`) and how a refusal
 * reads (`refusal`); this module runs the phases the same way for all of them.
 *
 *   access    `guarding_mode` INPUT/BOTH: the request texts picked by `text_source` are checked;
 *             blocked → the plugin's refusal (400), nothing goes upstream.
 *   response  OUTPUT/BOTH, buffered answers: the answer's texts are checked; blocked → the answer
 *             is replaced by the refusal.
 *   chunk     OUTPUT/BOTH, streamed answers: frames are held until about `response_buffer_size`
 *             tokens of text (or a frame without text, such as `[DONE]`) arrived, then that segment
 *             is checked and the frames released; blocked → an error frame ends the stream.
 *   log       `ai.proxy.<logKey>`: latencies, block reasons, the service's own fields, and with
 *             `log_blocked_content` the refused text.
 *
 * The service failing: with `stop_on_error` the request is refused (500), otherwise it passes and a
 * warning is logged.
 */
import { Slot, type BufferedResponse, type GatewayContext } from '../context.js';
import { AI_REQUEST } from '../llm/formats/request.js';
import { aiLog, promptRequest } from '../llm/formats/prompt.js';
import { formatOf } from '../llm/formats/index.js';
import { ReplyError, type PluginDeps, type PluginInstance } from '../plugin.js';
import type { Logger } from '../log.js';
import { decodedBody, requestTexts, responseTexts, selectTexts, type TextSource } from './texts.js';
import { StreamGuard } from './stream-guard.js';

export type GuardingMode = 'INPUT' | 'OUTPUT' | 'BOTH';
export type GuardSource = 'INPUT' | 'OUTPUT';

export interface GuardText {
  role: string;
  text: string;
}

export interface Verdict {
  blocked: boolean;
  /** Why (a category, a detector type, the service's message). */
  reason?: string | null;
  /** The refusal message the service gave, when it gives one. */
  message?: string;
  /** Extra fields of the refusal body when the plugin reveals failure reasons. */
  reveal?: Record<string, unknown> | null;
  /** Fields for the log entry (`<source>_` is prefixed). */
  log?: Record<string, unknown>;
}

export interface Guardrail {
  /** Kong's plugin name (messages). */
  name: string;
  /** The key under `ai.proxy` in the log record (Kong's, e.g. `lakera-guard`). */
  logKey: string;
  mode: GuardingMode;
  textSource: TextSource;
  stopOnError: boolean;
  /** `response_buffer_size` (tokens) of streamed answers. */
  bufferTokens: number;
  logBlockedContent: boolean;
  check(source: GuardSource, texts: GuardText[], requestId: string): Promise<Verdict>;
  /** The message of a refusal (the reply is 400 `{"error":{"message", …reveal}}`). */
  refusal(source: GuardSource, v: Verdict): string;
  /** Fixed fields of every log entry (e.g. the service URL). */
  logFields?: Record<string, unknown>;
  /** Status of a refusal (default 400). */
  refusalStatus?: number;
  /** The reply when the check fails and `stop_on_error` is on (default 500 `<name> failed to inspect the …`). */
  failure?: { status: number; message: string };
}

interface Entry { [k: string]: unknown }

const LOGS = new Slot<Map<string, Entry>>('guardrails.log');
/** The body limit of the prompt parser when no AI proxy parsed the request first (Kong 3.14's default). */
const MAX_BODY = 1_048_576;

function entry(ctx: GatewayContext, key: string): Entry {
  let m = ctx.get(LOGS);
  if (!m) ctx.set(LOGS, (m = new Map()));
  let e = m.get(key);
  if (!e) m.set(key, (e = {}));
  return e;
}

function refusalReply(g: Guardrail, source: GuardSource, v: Verdict): ReplyError {
  return new ReplyError({ status: g.refusalStatus ?? 400, json: { error: { message: g.refusal(source, v), ...(v.reveal ?? {}) } } });
}

function failedReply(g: Guardrail, source: GuardSource): ReplyError {
  if (g.failure) return new ReplyError({ status: g.failure.status, json: { error: { message: g.failure.message } } });
  return new ReplyError({ status: 500, json: { error: { message: `${g.name} failed to inspect the ${source === 'INPUT' ? 'request' : 'response'}` } } });
}

/**
 * One check, logged: the verdict, or null when the service failed and `stop_on_error` is off.
 * Throws the 500 reply when it failed and `stop_on_error` is on.
 */
export async function runCheck(g: Guardrail, ctx: GatewayContext, logger: Logger, source: GuardSource, texts: GuardText[]): Promise<Verdict | null> {
  const e = entry(ctx, g.logKey);
  const p = source.toLowerCase();
  const t0 = performance.now();
  try {
    const v = await g.check(source, texts, ctx.requestId);
    e[`${p}_processing_latency`] = Math.round(performance.now() - t0);
    for (const [k, x] of Object.entries(v.log ?? {})) e[`${p}_${k}`] = x;
    if (v.blocked) {
      e[`${p}_block_reason`] = v.reason ?? 'blocked';
      if (g.logBlockedContent) e[source === 'INPUT' ? 'input_faulty_prompt' : 'output_faulty_response'] = texts.map((x) => x.text).join('\n');
    }
    return v;
  } catch (err) {
    e[`${p}_error`] = (err as Error).message;
    logger.warn(`${g.name}: the guardrail service failed`, { request_id: ctx.requestId, error: (err as Error).message });
    if (g.stopOnError) throw failedReply(g, source);
    return null;
  }
}

async function guardRequest(g: Guardrail, deps: PluginDeps, ctx: GatewayContext): Promise<undefined> {
  const req = await promptRequest(ctx, MAX_BODY);
  if (g.mode === 'OUTPUT') return undefined;
  const texts = selectTexts(requestTexts(req.body), g.textSource).map((s) => ({ role: s.role ?? 'user', text: s.get() })).filter((t) => t.text.trim() !== '');
  if (texts.length === 0) return undefined;
  const v = await runCheck(g, ctx, deps.logger, 'INPUT', texts);
  if (v?.blocked) throw refusalReply(g, 'INPUT', v);
  return undefined;
}

async function guardAnswer(g: Guardrail, deps: PluginDeps, ctx: GatewayContext, res: BufferedResponse): Promise<void> {
  if (res.status >= 300) return;
  const text = decodedBody(res);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    res.body = Buffer.from(text);
    return;
  }
  const texts = responseTexts(body).map((s) => ({ role: 'assistant', text: s.get() })).filter((t) => t.text.trim() !== '');
  res.body = Buffer.from(text);
  delete res.headers['content-length'];
  if (texts.length === 0) return;
  let v: Verdict | null;
  try {
    v = await runCheck(g, ctx, deps.logger, 'OUTPUT', texts);
  } catch (err) {
    if (!(err instanceof ReplyError)) throw err;
    replaceBy(res, err);
    return;
  }
  if (v?.blocked) replaceBy(res, refusalReply(g, 'OUTPUT', v));
}

function replaceBy(res: BufferedResponse, err: ReplyError): void {
  res.status = err.reply.status;
  res.body = Buffer.from(JSON.stringify(err.reply.json));
  for (const h of Object.keys(res.headers)) if (h !== 'content-type') delete res.headers[h];
  res.headers['content-type'] = 'application/json';
}

function streamGuard(g: Guardrail, deps: PluginDeps, ctx: GatewayContext): StreamGuard {
  const format = formatOf(ctx.get(AI_REQUEST)?.inputFormat ?? ctx.route?.inputFormat);
  const errorFrame = (message: string): string => format.stream({ id: ctx.requestId, model: '', includeUsage: false }).error(message);
  return new StreamGuard(g.bufferTokens * 4, async (text) => {
    let v: Verdict | null;
    try {
      v = await runCheck(g, ctx, deps.logger, 'OUTPUT', [{ role: 'assistant', text }]);
    } catch (err) {
      if (err instanceof ReplyError) return errorFrame(String((err.reply.json as { error: { message: string } }).error.message));
      throw err;
    }
    return v?.blocked ? errorFrame(g.refusal('OUTPUT', v)) : null;
  });
}

const STREAM = new Slot<StreamGuard>('guardrails.stream');

/** The plugin instance of a guardrail (see the header). */
export function guardrailInstance(g: Guardrail, deps: PluginDeps): PluginInstance {
  const instance: PluginInstance = {
    access: (ctx) => guardRequest(g, deps, ctx),
    log(ctx, record) {
      const e = ctx.get(LOGS)?.get(g.logKey);
      if (!e) return;
      const ai = aiLog(record);
      const proxy = (ai.proxy !== null && typeof ai.proxy === 'object' ? ai.proxy : (ai.proxy = {})) as Record<string, unknown>;
      proxy[g.logKey] = { ...g.logFields, ...e };
    },
  };
  if (g.mode !== 'INPUT') {
    instance.response = (ctx, res) => guardAnswer(g, deps, ctx, res);
    instance.chunk = (ctx, chunk) => {
      let s = ctx.get(STREAM);
      if (!s) ctx.set(STREAM, (s = streamGuard(g, deps, ctx)));
      return s.feed(chunk);
    };
  }
  return instance;
}
