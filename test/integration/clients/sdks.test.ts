/**
 * Client SDKs through `aigw serve` against the mock, each over an OpenAI upstream (`oa`) and an
 * Anthropic one (`an`): the Vercel AI SDK (`openai()` = Responses, `.chat()`, `@ai-sdk/anthropic`),
 * the OpenAI Agents SDK (default Responses mode, one run with a tool) and `@anthropic-ai/sdk` 1.x
 * (API version 2026-10-21, Bearer auth).
 */
import Anthropic from '@anthropic-ai/sdk';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, OpenAIProvider, Runner, setTracingDisabled, tool as agentTool } from '@openai/agents';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BACKENDS, startClientsEnv, type ClientsEnv } from './setup.js';

let env: ClientsEnv;
beforeAll(async () => {
  setTracingDisabled(true);
  env = await startClientsEnv();
});
afterAll(async () => env.close());

const WEATHER_ARGS = '{"location":"San Francisco, CA"}';
const weather = tool({
  description: 'Weather of a city',
  inputSchema: z.object({ location: z.string() }),
  execute: async ({ location }) => `sunny in ${location}`,
});
const ANSWER = 'The answer to 1 + 1 is 2.';

for (const b of BACKENDS) {
  const over = b === 'oa' ? 'OpenAI' : 'Anthropic';

  describe(`Vercel AI SDK over ${over}`, () => {
    const openai = () => createOpenAI({ baseURL: env.base(b), apiKey: 'sk-client' });

    it("openai() (the Responses API): text, then a tool loop to the final answer", async () => {
      const plain = await generateText({ model: openai()('gpt-4o'), prompt: 'What is 1 + 1?', maxRetries: 0 });
      expect(plain.text).toBe(ANSWER);
      expect(plain.usage.outputTokens).toBe(8);
      const looped = await generateText({ model: openai()('gpt-4o'), prompt: 'What is the weather in Paris?', tools: { weather }, stopWhen: stepCountIs(3), maxRetries: 0 });
      expect(looped.steps[0].toolCalls[0]).toMatchObject({ toolName: 'weather', input: { location: 'San Francisco, CA' } });
      expect(looped.text).toBe('The tool returned: sunny in San Francisco, CA');
    });

    it('openai() streamed, with a tool', async () => {
      const s = streamText({ model: openai()('gpt-4o'), prompt: 'What is the weather in Paris?', tools: { weather }, stopWhen: stepCountIs(3), maxRetries: 0 });
      let text = '';
      for await (const t of s.textStream) text += t;
      expect(text).toBe('The tool returned: sunny in San Francisco, CA');
      expect((await s.steps).length).toBe(2);
    });

    it('openai.chat() (chat completions, where Kong refuses another model than the configured one), streamed', async () => {
      const s = streamText({ model: openai().chat(b === 'oa' ? 'gpt-4o' : 'claude-sonnet-4-5'), prompt: 'What is 1 + 1?', maxRetries: 0 });
      let text = '';
      for await (const t of s.textStream) text += t;
      expect(text).toBe(ANSWER);
      expect((await s.usage).outputTokens).toBe(8);
    });

    it('@ai-sdk/anthropic: text and a tool loop', async () => {
      const anthropic = createAnthropic({ baseURL: env.base(b), apiKey: 'sk-client' });
      const plain = await generateText({ model: anthropic('claude-sonnet-4-5'), prompt: 'What is 1 + 1?', maxRetries: 0 });
      expect(plain.text).toBe(ANSWER);
      const s = streamText({ model: anthropic('claude-sonnet-4-5'), prompt: 'What is the weather in Paris?', tools: { weather }, stopWhen: stepCountIs(3), maxRetries: 0 });
      let text = '';
      for await (const t of s.textStream) text += t;
      expect(text).toBe('The tool returned: sunny in San Francisco, CA');
    });
  });

  describe(`OpenAI Agents SDK over ${over}`, () => {
    it('one agent run with a tool (default Responses API), plain and streamed', async () => {
      const runner = new Runner({ modelProvider: new OpenAIProvider({ openAIClient: new OpenAI({ baseURL: env.base(b), apiKey: 'sk-client', maxRetries: 0 }) }) });
      const getWeather = agentTool({
        name: 'get_weather', description: 'Weather of a city', parameters: z.object({ location: z.string() }),
        execute: async ({ location }) => `rainy in ${location}`,
      });
      const agent = new Agent({ name: 'weather', instructions: 'Answer with the tool.', model: 'gpt-4o', tools: [getWeather] });
      const r = await runner.run(agent, 'What is the weather in Paris?');
      expect(r.finalOutput).toBe('The tool returned: rainy in San Francisco, CA');
      const s = await runner.run(agent, 'What is the weather in Paris?', { stream: true });
      for await (const e of s) void e;
      await s.completed;
      expect(s.finalOutput).toBe('The tool returned: rainy in San Francisco, CA');
    });
  });

  describe(`@anthropic-ai/sdk 1.x over ${over}`, () => {
    const client = () => new Anthropic({ baseURL: env.base(b).replace(/\/v1$/, ''), apiKey: 'sk-client', maxRetries: 0 });
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } }];

    it('messages: plain, streamed, and a tool call; anthropic-version and betas are not forwarded', async () => {
      const m = await client().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'What is 1 + 1?' }] });
      expect(m.content[0]).toMatchObject({ type: 'text', text: ANSWER });
      const sent = env.mock.requests().at(-1);
      expect(sent?.headers['anthropic-version']).toBe(b === 'an' ? '2023-06-01' : undefined);
      const stream = client().messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'What is the weather in Paris?' }], tools }, { headers: { 'anthropic-beta': 'fine-grained-tool-streaming-2025-05-14' } });
      const final = await stream.finalMessage();
      expect(final.stop_reason).toBe('tool_use');
      expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: JSON.parse(WEATHER_ARGS) as unknown });
      expect(env.mock.requests().at(-1)?.headers['anthropic-beta']).toBeUndefined();
    });
  });
}

describe('AI SDK item_reference (store on by default) over a translated route', () => {
  it('a second turn reusing response.messages sends item_references, which aigw resolves from its store', async () => {
    const sent: string[] = [];
    const openai = createOpenAI({
      baseURL: env.base('an'), apiKey: 'sk-client',
      fetch: async (url, init) => {
        sent.push(String(init?.body));
        return fetch(url, init);
      },
    });
    const first = await generateText({ model: openai('gpt-4o'), prompt: 'What is 1 + 1?', maxRetries: 0 });
    const second = await generateText({ model: openai('gpt-4o'), messages: [{ role: 'user', content: 'What is 1 + 1?' }, ...first.response.messages, { role: 'user', content: 'And 2 + 2?' }], maxRetries: 0 });
    expect(second.text).toBe('Mock answer to: And 2 + 2?');
    expect(sent.at(-1)).toContain('"type":"item_reference"');
    const responsesCall = env.mock.requests().at(-1)?.body as { messages: Array<{ role: string; content: unknown }> };
    expect(JSON.stringify(responsesCall.messages)).toContain(ANSWER);
  });
});
