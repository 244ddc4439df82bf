/**
 * LangChain.js through `aigw serve` against the mock, over an OpenAI upstream (`oa`) and an
 * Anthropic one (`an`, translated by the gateway): `ChatOpenAI` (chat completions by default, and
 * `useResponsesApi`) and `ChatAnthropic` (messages), each plain, streamed and in a tool loop with
 * `bindTools` and `ToolMessage`s, as an application built on LangChain would call them.
 */
import { ChatAnthropic } from '@langchain/anthropic';
import { type AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { logFor } from '../ai-proxy/setup.js';
import { BACKENDS, startClientsEnv, type ClientsEnv } from './setup.js';

let env: ClientsEnv;
beforeAll(async () => {
  env = await startClientsEnv();
});
afterAll(async () => env?.close());

const ANSWER = 'The answer to 1 + 1 is 2.';
const weather = tool(async ({ location }: { location: string }) => `sunny in ${location}`, {
  name: 'get_weather',
  description: 'Weather of a city',
  schema: z.object({ location: z.string() }),
});

type Chat = ChatOpenAI | ChatAnthropic;

/** The loop an agent runs: call, run the tools the model asked for, call again, until it answers. */
async function toolLoop(model: Chat, question: string): Promise<{ answer: AIMessage; calls: number }> {
  const bound = model.bindTools([weather]);
  const messages: BaseMessage[] = [new HumanMessage(question)];
  for (let step = 0; step < 3; step++) {
    const ai = await bound.invoke(messages);
    messages.push(ai);
    if (!ai.tool_calls?.length) return { answer: ai, calls: step };
    for (const call of ai.tool_calls) messages.push(new ToolMessage({ content: String(await weather.invoke(call.args as { location: string })), tool_call_id: call.id ?? '' }));
  }
  throw new Error('no answer after 3 steps');
}

async function streamed(model: Chat, question: string): Promise<string> {
  let text = '';
  for await (const chunk of await model.stream(question)) text += typeof chunk.content === 'string' ? chunk.content : chunk.content.map((c) => ('text' in c ? c.text : '')).join('');
  return text;
}

/** The gateway's request id of the last answer a client read (x-kong-request-id), for its file-log record. */
let lastRequestId = '';
const recording: typeof fetch = async (url, init) => {
  const res = await fetch(url, init);
  lastRequestId = res.headers.get('x-kong-request-id') ?? '';
  return res;
};

/** The route and usage the gateway logged for the last request. */
async function lastLogged(): Promise<{ route: unknown; usage: Record<string, unknown> | undefined }> {
  const rec = await logFor(env.logPath, lastRequestId);
  return { route: (rec.route as { name?: unknown } | undefined)?.name, usage: rec.ai?.proxy?.usage };
}

for (const b of BACKENDS) {
  const over = b === 'oa' ? 'OpenAI' : 'Anthropic';
  const model = b === 'oa' ? 'gpt-4o' : 'claude-sonnet-4-5';

  describe(`LangChain ChatOpenAI over ${over}`, () => {
    const chat = (extra: Partial<ConstructorParameters<typeof ChatOpenAI>[0]> = {}) =>
      new ChatOpenAI({ model, apiKey: 'sk-client', maxRetries: 0, configuration: { baseURL: env.base(b), fetch: recording }, ...extra });

    it('invoke: the answer, its token usage, and the gateway logged the same usage', async () => {
      const r = await chat().invoke('What is 1 + 1?');
      expect(r.content).toBe(ANSWER);
      expect(env.mock.requests().at(-1)?.path).toBe(b === 'oa' ? '/v1/chat/completions' : '/v1/messages');
      expect(r.usage_metadata?.output_tokens).toBe(8);
      const logged = await lastLogged();
      expect(logged.route).toBe(`${b}-chat`);
      expect(logged.usage?.completion_tokens).toBe(r.usage_metadata?.output_tokens);
      expect(logged.usage?.prompt_tokens).toBe(r.usage_metadata?.input_tokens);
    });

    it('stream: the chunks make the answer, with usage in the last one (stream_options.include_usage)', async () => {
      let usage: number | undefined;
      let text = '';
      for await (const c of await chat({ streamUsage: true }).stream('What is 1 + 1?')) {
        text += String(c.content);
        usage = c.usage_metadata?.output_tokens ?? usage;
      }
      expect(text).toBe(ANSWER);
      expect(usage).toBe(8);
    });

    it('bindTools: a tool call, the ToolMessage back, the final answer', async () => {
      const { answer, calls } = await toolLoop(chat(), 'What is the weather in Paris?');
      expect(calls).toBe(1);
      expect(answer.content).toBe('The tool returned: sunny in San Francisco, CA');
    });

    it('useResponsesApi: text and a tool loop over /v1/responses', async () => {
      const r = await chat({ useResponsesApi: true }).invoke('What is 1 + 1?');
      expect(r.text).toBe(ANSWER);
      // the gateway's responses route took it: passed through to OpenAI's /v1/responses, translated to Anthropic's messages
      expect(env.mock.requests().at(-1)?.path).toBe(b === 'oa' ? '/v1/responses' : '/v1/messages');
      expect((await lastLogged()).route).toBe(`${b}-responses`);
      const { answer } = await toolLoop(chat({ useResponsesApi: true }), 'What is the weather in Paris?');
      expect(answer.text).toBe('The tool returned: sunny in San Francisco, CA');
    });

    it('a wrong consumer key is a 401 the client reports as an authentication error', async () => {
      await expect(chat({ apiKey: 'sk-wrong' }).invoke('What is 1 + 1?')).rejects.toThrow(/401|Unauthorized|authenticat/i);
    });
  });

  describe(`LangChain ChatAnthropic over ${over}`, () => {
    const chat = () => new ChatAnthropic({ model: 'claude-sonnet-4-5', apiKey: 'sk-client', maxRetries: 0, anthropicApiUrl: env.base(b).replace(/\/v1$/, ''), clientOptions: { fetch: recording } });

    it('invoke and stream', async () => {
      const r = await chat().invoke('What is 1 + 1?');
      expect(r.text).toBe(ANSWER);
      expect(r.usage_metadata?.output_tokens).toBe(8);
      const logged = await lastLogged();
      expect(logged.route).toBe(`${b}-messages`);
      expect(logged.usage?.completion_tokens).toBe(8);
      expect(await streamed(chat(), 'What is 1 + 1?')).toBe(ANSWER);
    });

    it('bindTools: a tool call, the ToolMessage back, the final answer', async () => {
      const { answer, calls } = await toolLoop(chat(), 'What is the weather in Paris?');
      expect(calls).toBe(1);
      expect(answer.text).toBe('The tool returned: sunny in San Francisco, CA');
    });
  });
}
