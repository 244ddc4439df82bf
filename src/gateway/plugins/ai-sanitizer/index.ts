/**
 * ai-sanitizer (Kong's plugin, Kong 3.10+; schemas/plugins/ai-sanitizer.json): a client of Kong's AI
 * PII Anonymizer service (`scheme://host:port`, see pii-service.ts).
 *
 *   INPUT / BOTH   each text of the request (every message, or with
 *                  `allow_all_conversation_history: false` the last one only; `prompt`; `input`) is
 *                  sent to the service and replaced by its sanitized text. With `block_if_detected`
 *                  a request in which the service identified PII is refused: 400 with the types
 *                  and their count. With `recover_redacted` the replacements (found by aligning
 *                  the texts, align.ts) are put back into the answer: buffered bodies and SSE
 *                  streams, a replacement split across chunks included.
 *   OUTPUT / BOTH  the answer's texts are sanitized by the service before the client gets them
 *                  (buffered answers; a streamed request is refused with 400, since aigw cannot
 *                  sanitize a stream it has already started to send).
 *
 * The service failing: with `stop_on_error` the request is refused (500), otherwise it goes on
 * unsanitized and a warning is logged. The log record gets `ai["ai-sanitizer"]` (identified and
 * anonymized types, counts, and unless `skip_logging_sanitized_items` the sanitized items).
 */
import type { Dispatcher } from 'undici';
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import { Slot, type BufferedResponse, type GatewayContext, type Reply } from '../../context.js';
import { aiLog, promptRequest, syncBody } from '../../llm/formats/prompt.js';
import { aiError } from '../../llm/formats/request.js';
import { formatOf } from '../../llm/formats/index.js';
import { ReplyError, type KongPlugin, type PluginDeps, type PluginInstance } from '../../plugin.js';
import { serviceAgent } from '../../guardrails/service-call.js';
import { decodedBody, requestTexts, responseTexts, type TextSlot } from '../../guardrails/texts.js';
import { Restorer, StreamRestorer } from '../aigw-pii-sanitizer/restore.js';
import { replacements, restoreMap, type Replacement } from './align.js';
import { sanitizeText, type PiiServiceConfig, type Sanitized } from './pii-service.js';

/** The body limit of the prompt parser when no AI proxy parsed the request first (Kong 3.14's default). */
const MAX_BODY = 1_048_576;
export const STREAM_REFUSED = 'ai-sanitizer cannot sanitize a streamed response in aigw serve (sanitization_mode OUTPUT or BOTH); send "stream": false';
export const BLOCKED = 'request blocked: PII detected';
export const FAILED = 'failed to sanitize the request with the PII service';
export const FAILED_RESPONSE = 'failed to sanitize the response with the PII service';

interface Compiled {
  service: PiiServiceConfig;
  keepaliveMs: number;
  input: boolean;
  output: boolean;
  recover: boolean;
  block: boolean;
  stopOnError: boolean;
  lastOnly: boolean;
  logItems: boolean;
}

interface Outcome {
  identified: Map<string, number>;
  anonymized: Map<string, number>;
  items: Replacement[];
  restorer: Restorer | null;
  stream: StreamRestorer | null;
  restored: boolean;
  outputSanitized: boolean;
  error: string | null;
}

const OUTCOME = new Slot<Outcome>('ai-sanitizer.outcome');

function parse(c: PluginConfigs['ai-sanitizer']): Compiled {
  const mode = c.sanitization_mode ?? 'INPUT';
  return {
    service: {
      url: `${c.scheme}://${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}/llm/v1/sanitize`,
      anonymize: c.anonymize,
      redactType: c.redact_type,
      customPatterns: (c.custom_patterns ?? []).map((p) => ({ name: p.name, regex: p.regex, score: p.score })),
      timeoutMs: c.timeout,
    },
    keepaliveMs: c.keepalive_timeout,
    input: mode !== 'OUTPUT',
    output: mode !== 'INPUT',
    recover: c.recover_redacted,
    block: c.block_if_detected ?? false,
    stopOnError: c.stop_on_error,
    lastOnly: (c.allow_all_conversation_history ?? true) === false,
    logItems: !(c.skip_logging_sanitized_items ?? false),
  };
}

function count(into: Map<string, number>, types: string[]): void {
  for (const t of types) into.set(t, (into.get(t) ?? 0) + 1);
}

function newOutcome(): Outcome {
  return { identified: new Map(), anonymized: new Map(), items: [], restorer: null, stream: null, restored: false, outputSanitized: false, error: null };
}

/** Sanitize `slots` in place (throws ServiceCallError when the service fails). */
async function sanitizeSlots(c: Compiled, agent: Dispatcher, slots: TextSlot[], o: Outcome): Promise<void> {
  const texts = slots.map((s) => s.get());
  const results: Sanitized[] = await Promise.all(texts.map((t) => (t.trim() === '' ? { text: t, identified: [], anonymized: [] } : sanitizeText(c.service, agent, t))));
  results.forEach((r, i) => {
    count(o.identified, r.identified);
    count(o.anonymized, r.anonymized);
    o.items.push(...replacements(texts[i], r.text));
    slots[i].set(r.text);
  });
}

/** The 400 of `block_if_detected`: the identified types and their count. */
function blocked(o: Outcome): ReplyError {
  const total = [...o.identified.values()].reduce((a, b) => a + b, 0);
  return new ReplyError({ status: 400, json: { error: { message: BLOCKED, identified_pii: Object.fromEntries(o.identified), count: total } } });
}

async function sanitizeRequest(c: Compiled, deps: PluginDeps, agent: Dispatcher, ctx: GatewayContext): Promise<Reply | undefined> {
  const req = await promptRequest(ctx, MAX_BODY);
  if (c.output && req.body.stream === true) throw aiError(400, STREAM_REFUSED);
  const o = newOutcome();
  ctx.set(OUTCOME, o);
  if (!c.input) return undefined;
  const all = requestTexts(req.body);
  const slots = c.lastOnly ? all.slice(-1) : all;
  const originals = slots.map((s) => s.get());
  try {
    await sanitizeSlots(c, agent, slots, o);
  } catch (err) {
    o.error = (err as Error).message;
    deps.logger.warn('ai-sanitizer: the PII service failed', { request_id: ctx.requestId, error: o.error });
    if (c.stopOnError) throw aiError(500, FAILED);
    return undefined;
  }
  if (c.block && o.identified.size > 0) throw blocked(o);
  if (o.items.length === 0) return undefined;
  syncBody(ctx, req);
  // ai-proxy logs `raw` with log_payloads: it must not keep the values either
  if (formatOf(req.inputFormat).identity) req.raw = Buffer.from(JSON.stringify(req.body));
  if (c.recover) {
    const map = restoreMap(o.items, originals);
    if (map.size) o.restorer = new Restorer(map);
  }
  return undefined;
}

async function sanitizeResponse(c: Compiled, deps: PluginDeps, agent: Dispatcher, ctx: GatewayContext, res: BufferedResponse): Promise<void> {
  const o = ctx.get(OUTCOME);
  const sanitizing = c.output && res.status < 300;
  if (!o || (!o.restorer && !sanitizing)) return;
  let text = decodedBody(res);
  if (o.restorer) {
    text = o.restorer.body(Buffer.from(text)).toString('utf8');
    o.restored = true;
  }
  if (sanitizing) text = await sanitizeAnswer(c, deps, agent, ctx, res, text, o);
  res.body = Buffer.from(text);
  delete res.headers['content-length'];
}

/** The answer's texts through the service; the new body text. */
async function sanitizeAnswer(c: Compiled, deps: PluginDeps, agent: Dispatcher, ctx: GatewayContext, res: BufferedResponse, text: string, o: Outcome): Promise<string> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  try {
    await sanitizeSlots(c, agent, responseTexts(body), o);
    o.outputSanitized = true;
  } catch (err) {
    o.error = (err as Error).message;
    deps.logger.warn('ai-sanitizer: the PII service failed on the response', { request_id: ctx.requestId, error: o.error });
    if (c.stopOnError) {
      res.status = 500;
      return JSON.stringify({ error: { message: FAILED_RESPONSE } });
    }
  }
  return JSON.stringify(body);
}

function logEntry(c: Compiled, o: Outcome): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    identified_pii: Object.fromEntries(o.identified),
    anonymized_pii: Object.fromEntries(o.anonymized),
    total: [...o.identified.values()].reduce((a, b) => a + b, 0),
    restored: o.restored,
    output_sanitized: o.outputSanitized,
  };
  if (c.logItems) entry.sanitized_items = o.items.map((i) => ({ original: i.original, replacement: i.replacement }));
  if (o.error !== null) entry.error = o.error;
  return entry;
}

export const aiSanitizer: KongPlugin<'ai-sanitizer', Compiled> = {
  name: 'ai-sanitizer',
  parse,
  create(c, deps) {
    const agent = deps.store.get('agent', () => serviceAgent({ timeoutMs: c.service.timeoutMs, keepaliveMs: c.keepaliveMs }), (a) => a.close());
    const instance: PluginInstance = {
      access: (ctx) => sanitizeRequest(c, deps, agent, ctx),
      response: (ctx, res) => sanitizeResponse(c, deps, agent, ctx, res),
      log(ctx, record) {
        const o = ctx.get(OUTCOME);
        if (o) aiLog(record)['ai-sanitizer'] = logEntry(c, o);
      },
    };
    if (c.recover && c.input) {
      instance.chunk = (ctx, chunk) => {
        const o = ctx.get(OUTCOME);
        if (!o?.restorer) return chunk;
        o.stream ??= new StreamRestorer(o.restorer);
        o.restored = true;
        return o.stream.feed(chunk);
      };
    }
    return instance;
  },
};
