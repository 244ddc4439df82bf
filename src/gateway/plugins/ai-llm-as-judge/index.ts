/**
 * ai-llm-as-judge (Kong 3.12): a judge LLM (`llm`, called through the LLM caller) scores the
 * route's answers from 1 to 100. The answer's text is collected as it goes to the client (buffered
 * bodies and SSE streams, without changing them) and, for a `sampling_rate` share of requests,
 * judged before the answer completes (a buffered answer waits for the judge; a stream's last frame
 * does), so the score is in the request's log record: the judge gets `prompt` as its system message and one user message holding
 * the last `message_countback` messages of the conversation (system, assistant and tool messages
 * left out per `ignore_*_prompts`) and the answer. The first number of the judge's reply, clamped
 * to 1..100, is logged as `ai.proxy["llm-as-judge"].score` with the judge's latency and model.
 *
 * Refused at startup: `http(s)_proxy_*` and `https_verify: false` (aigw's LLM caller calls
 * directly and always verifies certificates).
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import { Slot, type GatewayContext } from '../../context.js';
import { AI_REQUEST } from '../../llm/formats/request.js';
import { aiLog, messageText } from '../../llm/formats/prompt.js';
import { CLIENT_FORMATS } from '../../llm/formats/index.js';
import { isObject, withoutNulls, type CanonicalRequest } from '../../llm/wire/openai-types.js';
import type { LlmTarget } from '../../llm/call/client.js';
import type { AuthConfig, ModelOptions } from '../../providers/types.js';
import type { KongPlugin, PluginDeps } from '../../plugin.js';
import { decodedBody, responseTexts } from '../../guardrails/texts.js';

type Config = PluginConfigs['ai-llm-as-judge'];

const ANSWER = new Slot<{ text: string; partial: string }>('ai-llm-as-judge.answer');
const VERDICT = new Slot<Record<string, unknown>>('ai-llm-as-judge.verdict');
/** The last frame of a complete stream (OpenAI's `[DONE]`, Anthropic's `message_stop`). */
const STREAM_END = /^data: \[DONE\]\s*$|^event: message_stop\s*$/m;

function target(c: Config): LlmTarget {
  return {
    route_type: 'llm/v1/chat',
    auth: withoutNulls({ ...(c.llm.auth ?? {}) }) as AuthConfig,
    model: { provider: c.llm.model.provider, name: c.llm.model.name ?? null, options: withoutNulls({ ...(isObject(c.llm.model.options) ? c.llm.model.options : {}) }) as ModelOptions },
  };
}

/** What the judge reads: the conversation's last messages, then the answer. */
export function judgeInput(c: Config, body: CanonicalRequest, answer: string): string {
  const skip = new Set([c.ignore_system_prompts && 'system', c.ignore_assistant_prompts && 'assistant', c.ignore_tool_prompts && 'tool'].filter(Boolean));
  const messages = (Array.isArray(body.messages) ? body.messages : []).filter((m) => isObject(m) && !skip.has(String(m.role)));
  const prompt = messages.slice(-c.message_countback).map((m) => `${String(m.role)}: ${messageText(m) ?? ''}`);
  if (prompt.length === 0 && typeof body.prompt === 'string') prompt.push(body.prompt);
  return `Prompt:\n${prompt.join('\n')}\n\nResponse:\n${answer}`;
}

/** The score in the judge's reply: its first number, clamped to 1..100; null when it has none. */
export function scoreOf(reply: string): number | null {
  const m = /-?\d+(?:\.\d+)?/.exec(reply);
  if (!m) return null;
  return Math.min(100, Math.max(1, Math.round(Number(m[0]))));
}

function collect(ctx: GatewayContext, chunk: Buffer): void {
  const a = ctx.get(ANSWER) ?? { text: '', partial: '' };
  ctx.set(ANSWER, a);
  const frames = (a.partial + chunk.toString('utf8')).split(/\r?\n\r?\n/);
  a.partial = frames.pop() ?? '';
  for (const f of frames) {
    const data = f.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch {
      continue;
    }
    if (isObject(obj)) a.text += CLIENT_FORMATS.flatMap((fmt) => fmt.streamTextFields(obj)).map((x) => x.get()).join('');
  }
}

async function judge(c: Config, deps: PluginDeps, llm: LlmTarget, ctx: GatewayContext): Promise<void> {
  const v = await verdictOf(c, deps, llm, ctx);
  if (v) ctx.set(VERDICT, v);
}

async function verdictOf(c: Config, deps: PluginDeps, llm: LlmTarget, ctx: GatewayContext): Promise<Record<string, unknown> | null> {
  const answer = ctx.get(ANSWER)?.text;
  const req = ctx.get(AI_REQUEST);
  if (!answer || !req || Math.random() >= c.sampling_rate) return null;
  const request: CanonicalRequest = { messages: [{ role: 'system', content: c.prompt }, { role: 'user', content: judgeInput(c, req.body, answer) }], stream: false };
  const timeouts = { connect: c.http_timeout, read: c.http_timeout, write: c.http_timeout };
  try {
    const r = await deps.llm.call(llm, request, { stream: false, requestId: ctx.requestId, timeouts });
    if (!r.ok) return { error: r.error === 'http' ? `judge answered ${r.status}` : r.message };
    if (r.kind !== 'buffered' || r.response.object !== 'chat.completion') return { error: 'the judge answered without a score' };
    const content = r.response.choices[0]?.message.content;
    const score = typeof content === 'string' ? scoreOf(content) : null;
    return score === null ? { error: 'the judge answered without a score' } : { score, latency: r.latencyMs, model: r.model };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export const aiLlmAsJudge: KongPlugin<'ai-llm-as-judge'> = {
  name: 'ai-llm-as-judge',
  // refused in parse, so that validate warns (AIGW_UNSUPPORTED) about what serve will refuse
  parse(c: Config): Config {
    if (c.http_proxy_host || c.https_proxy_host) throw new Error('http(s)_proxy_host: aigw serve calls the judge LLM directly, not through a forward proxy');
    if (!c.https_verify) throw new Error('https_verify: aigw serve always verifies the judge LLM\'s certificate');
    return c;
  },
  create(c: Config, deps) {
    const llm = target(c);
    return {
      async response(ctx, res) {
        if (res.status >= 300) return;
        const raw = decodedBody(res);
        res.body = Buffer.from(raw);
        delete res.headers['content-length'];
        try {
          ctx.set(ANSWER, { text: responseTexts(JSON.parse(raw)).map((s) => s.get()).join('\n'), partial: '' });
        } catch {
          return; // not a JSON answer: nothing to judge
        }
        await judge(c, deps, llm, ctx);
      },
      async chunk(ctx, chunk) {
        collect(ctx, chunk);
        if (STREAM_END.test(chunk.toString('utf8'))) await judge(c, deps, llm, ctx);
        return chunk;
      },
      log(ctx, record) {
        const verdict = ctx.get(VERDICT);
        if (!verdict) return;
        const ai = aiLog(record);
        const proxy = (isObject(ai.proxy) ? ai.proxy : (ai.proxy = {})) as Record<string, unknown>;
        proxy['llm-as-judge'] = verdict;
      },
    };
  },
};
