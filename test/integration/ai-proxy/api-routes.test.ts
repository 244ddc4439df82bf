/**
 * Kong 3.11–3.13's API route types through `aigw serve`, driven by the official `openai` SDK against
 * `aigw mock`: images (generations, edits), audio (speech, transcriptions, translations), files,
 * batches and videos, on OpenAI and (images, audio, files, batches) Azure; the configured model
 * and key are what the mock sees, uploads arrive byte for byte, provider errors and mock faults
 * pass through, image usage lands in the log record.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { KEY, logFor } from './setup.js';

const API_VERSION = '2025-04-01-preview';

/** Kong logs no statistics for audio, batches and assistants (a config check refuses them). */
const NO_STATISTICS = /^(audio|llm\/v1\/batches)/;

function route(name: string, path: string, routeType: string, model: string): string {
  return `
  - name: ${name}
    paths: [${path}]
    plugins:
    - name: ai-proxy
      config:
        route_type: ${routeType}
        max_request_body_size: 65536
        logging: { log_statistics: ${!NO_STATISTICS.test(routeType)} }
        auth: ${name.startsWith('az-') ? `{ header_name: api-key, header_value: "${KEY}" }` : `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`}
        model: ${model}`;
}

const oai = (mock: string, rt: string, name: string | null, resource: string, restful = false): string =>
  `{ provider: openai${name ? `, name: ${name}` : ''}, options: { upstream_url: "${mock}/v1${restful ? '' : resource}", input_cost: 5, output_cost: 40 } }`;
const az = (mock: string, name: string, resource: string, restful = false): string =>
  `{ provider: azure, name: ${name}, options: { azure_instance: inst, azure_deployment_id: ${name}, azure_api_version: "${API_VERSION}", upstream_url: "${mock}/openai${restful ? '' : `/deployments/${name}${resource}`}" } }`;

const sha = (b: Buffer | Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

/** A raw request through the gateway (for what the SDK cannot send). */
function send(url: string, method: string, body: Buffer | string | undefined, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('ai-proxy API route types (images, audio, files, batches, videos) with the openai SDK', () => {
  let mock: MockServer;
  let gw: TestGateway;
  let client: OpenAI;
  let azure: AzureOpenAI;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-api-')), 'ai.log');

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    const m = mock.url;
    const routes = [
      route('img-gen', '/oai/v1/images/generations', 'image/v1/images/generations', oai(m, '', 'gpt-image-1', '/images/generations')),
      route('img-edit', '/oai/v1/images/edits', 'image/v1/images/edits', oai(m, '', 'gpt-image-1', '/images/edits')),
      route('speech', '/oai/v1/audio/speech', 'audio/v1/audio/speech', oai(m, '', 'gpt-4o-mini-tts', '/audio/speech')),
      route('transcribe', '/oai/v1/audio/transcriptions', 'audio/v1/audio/transcriptions', oai(m, '', 'whisper-1', '/audio/transcriptions')),
      route('translate', '/oai/v1/audio/translations', 'audio/v1/audio/translations', oai(m, '', 'whisper-1', '/audio/translations')),
      route('files', '/oai/v1/files', 'llm/v1/files', oai(m, '', null, '', true)),
      route('batches', '/oai/v1/batches', 'llm/v1/batches', oai(m, '', null, '', true)),
      route('videos', '/oai/v1/videos', 'video/v1/videos/generations', oai(m, '', 'sora-2', '', true)),
      route('az-img-gen', '/az/openai/deployments/img/images/generations', 'image/v1/images/generations', az(m, 'img', '/images/generations')),
      route('az-transcribe', '/az/openai/deployments/stt/audio/transcriptions', 'audio/v1/audio/transcriptions', az(m, 'stt', '/audio/transcriptions')),
      route('az-files', '/az/openai/files', 'llm/v1/files', az(m, 'x', '', true)),
      route('xai-img', '/xai/v1/images/generations', 'image/v1/images/generations', `{ provider: xai, name: grok-2-image, options: { upstream_url: "${m}/v1/images/generations" } }`),
    ].join('');
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://localhost:32000
  routes:${routes}
`);
    client = new OpenAI({ apiKey: 'client-key-ignored', baseURL: `${gw.proxyUrl}/oai/v1`, maxRetries: 0 });
    azure = new AzureOpenAI({ apiKey: 'client-key-ignored', endpoint: `${gw.proxyUrl}/az`, apiVersion: API_VERSION, maxRetries: 0 });
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
  });

  it('images.generate: the configured model and key reach OpenAI, usage and cost are logged', async () => {
    const res = await client.images.generate({ prompt: 'a red fox in the snow', n: 2 }).withResponse();
    expect(res.data.data).toHaveLength(2);
    expect(res.data.data?.[0].b64_json).toMatch(/^iVBOR/);
    expect(res.data.usage?.input_tokens).toBe(6);
    const seen = mock.requests().at(-1);
    expect(seen?.path).toBe('/v1/images/generations');
    expect((seen?.body as { model: string }).model).toBe('gpt-image-1');
    expect(seen?.headers.authorization).toBe(`Bearer ${KEY}`);
    const log = await logFor(logPath, String(res.response.headers.get('x-kong-request-id')));
    expect(log.ai?.proxy?.meta.request_model).toBe('gpt-image-1');
    expect(log.ai?.proxy?.usage.prompt_tokens).toBe(6);
    expect(log.ai?.proxy?.usage.completion_tokens).toBe(512);
    expect(log.ai?.proxy?.usage.cost).toBeCloseTo((6 * 5 + 512 * 40) / 1e6, 12);
  });

  it('images.generate: another model from the client is Kong\'s 400, nothing reaches the provider', async () => {
    const before = mock.requests().length;
    const err = await client.images.generate({ prompt: 'x', model: 'dall-e-3' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('cannot use own model - must be: gpt-image-1');
    expect(mock.requests().length).toBe(before);
  });

  it('images.edit: the multipart upload streams through intact, model set to the configured one', async () => {
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(200_000, 7)]);
    const res = await client.images.edit({ image: await toFile(png, 'fox.png', { type: 'image/png' }), prompt: 'add a hat', model: 'gpt-image-1' });
    expect(res.data?.[0].b64_json).toMatch(/^iVBOR/);
    expect(res.usage?.input_tokens).toBe(3 + 65);
    const seen = mock.requests().at(-1);
    expect(seen?.path).toBe('/v1/images/edits');
    expect(String(seen?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=aigw-/);
    expect(seen?.raw).toContain('name="model"\r\n\r\ngpt-image-1\r\n');
  });

  it('audio.speech: the audio streams back byte for byte', async () => {
    const res = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello from the gateway. '.repeat(100) });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const audio = Buffer.from(await res.arrayBuffer());
    expect(audio.length).toBe(2400 * 32);
    const again = Buffer.from(await (await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello from the gateway. '.repeat(100) })).arrayBuffer());
    expect(again.equals(audio)).toBe(true);
  });

  it('audio.transcriptions and translations: a 1 MB upload arrives intact (the mock names its digest)', async () => {
    const wav = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < wav.length; i++) wav[i] = (i * 31) & 0xff;
    const t = await client.audio.transcriptions.create({ file: await toFile(wav, 'talk.wav', { type: 'audio/wav' }), model: 'whisper-1' });
    expect(t.text).toBe(`Mock transcription of talk.wav (${wav.length} bytes, sha256 ${sha(wav)}).`);
    const tr = await client.audio.translations.create({ file: await toFile(wav, 'talk.wav'), model: 'whisper-1', response_format: 'text' });
    expect(String(tr).trim()).toBe(`Mock translation of talk.wav (${wav.length} bytes, sha256 ${sha(wav)}).`);
  });

  it('a multipart text field over max_request_body_size is a 413 naming the field to raise', async () => {
    const boundary = 'b0undary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n${'x'.repeat(70_000)}\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--${boundary}--\r\n`;
    const r = await send(`${gw.proxyUrl}/oai/v1/images/edits`, 'POST', body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(r.status, r.body.toString()).toBe(413);
    expect(JSON.parse(r.body.toString())).toEqual({ error: { message: "multipart field 'prompt' is larger than max_request_body_size (65536 bytes): raise config.max_request_body_size" } });
  });

  it('a JSON body over max_request_body_size is a 413; GET on a single-endpoint type is a 405', async () => {
    const big = await send(`${gw.proxyUrl}/oai/v1/images/generations`, 'POST', JSON.stringify({ prompt: 'x'.repeat(70_000) }), { 'content-type': 'application/json' });
    expect(big.status).toBe(413);
    expect(big.body.toString()).toContain('max_request_body_size (65536 bytes)');
    const get = await send(`${gw.proxyUrl}/oai/v1/audio/speech`, 'GET', undefined);
    expect(get.status).toBe(405);
    expect(JSON.parse(get.body.toString())).toEqual({ error: { message: 'method GET is not allowed on route type audio/v1/audio/speech (POST only)' } });
  });

  it('files: upload, list, retrieve, content, delete', async () => {
    const jsonl = Buffer.from('{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o","messages":[{"role":"user","content":"What is 1 + 1?"}]}}\n');
    const f = await client.files.create({ file: await toFile(jsonl, 'in.jsonl'), purpose: 'batch' });
    expect(f).toMatchObject({ object: 'file', bytes: jsonl.length, filename: 'in.jsonl', purpose: 'batch' });
    expect((await client.files.list({ purpose: 'batch' })).data.map((x) => x.id)).toContain(f.id);
    expect((await client.files.retrieve(f.id)).id).toBe(f.id);
    expect(Buffer.from(await (await client.files.content(f.id)).arrayBuffer()).equals(jsonl)).toBe(true);
    expect(await client.files.delete(f.id)).toEqual({ id: f.id, object: 'file', deleted: true });
    const gone = await client.files.retrieve(f.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('batches: create from an uploaded file, retrieve, read the output; provider errors pass through', async () => {
    const lines = ['What is 1 + 1?', 'Say hi'].map((q, i) => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: q }] } }));
    const input = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'batch.jsonl'), purpose: 'batch' });
    const batch = await client.batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(batch).toMatchObject({ object: 'batch', status: 'completed', request_counts: { total: 2, completed: 2, failed: 0 } });
    expect((await client.batches.retrieve(batch.id)).output_file_id).toBe(batch.output_file_id);
    const out = (await (await client.files.content(String(batch.output_file_id))).text()).trim().split('\n').map((l) => JSON.parse(l) as { custom_id: string; response: { body: { choices: Array<{ message: { content: string } }> } } });
    expect(out[0].custom_id).toBe('r0');
    expect(out[0].response.body.choices[0].message.content).toBe('The answer to 1 + 1 is 2.');
    const cancel = await client.batches.cancel(batch.id).catch((e: unknown) => e);
    expect(cancel).toBeInstanceOf(OpenAI.BadRequestError);
    expect((cancel as Error).message).toContain("Cannot cancel a batch with status 'completed'.");
  });

  it('videos: create (model set), retrieve, download, delete', async () => {
    const v = await client.videos.create({ prompt: 'a cat on a skateboard' });
    expect(v).toMatchObject({ object: 'video', model: 'sora-2', status: 'completed' });
    expect((await client.videos.retrieve(v.id)).prompt).toBe('a cat on a skateboard');
    const content = await client.videos.downloadContent(v.id);
    expect(content.headers.get('content-type')).toBe('video/mp4');
    expect((await content.arrayBuffer()).byteLength).toBeGreaterThan(0);
    await client.videos.delete(v.id);
    expect(await client.videos.retrieve(v.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('mock faults pass through: x-mock-status, and a dead upstream is a 502', async () => {
    const r = await send(`${gw.proxyUrl}/oai/v1/images/generations`, 'POST', JSON.stringify({ prompt: 'x' }), { 'content-type': 'application/json', 'x-mock-status': '429' });
    expect(r.status).toBe(429);
    expect(JSON.parse(r.body.toString()).error.code).toBe('rate_limit_exceeded');
  });

  it('xAI: image generation with the configured model', async () => {
    const xai = new OpenAI({ apiKey: 'ignored', baseURL: `${gw.proxyUrl}/xai/v1`, maxRetries: 0 });
    const res = await xai.images.generate({ prompt: 'a red fox', response_format: 'url' });
    expect(res.data?.[0].url).toMatch(/^https:\/\/images\.mock\.invalid\//);
    expect((mock.requests().at(-1)?.body as { model: string }).model).toBe('grok-2-image');
  });

  it('Azure: images under the deployment, transcriptions, files on the account, with api-version and api-key', async () => {
    const img = await azure.images.generate({ prompt: 'a red fox', model: 'img' });
    expect(img.data).toHaveLength(1);
    let seen = mock.requests().at(-1);
    expect(seen?.path).toBe('/openai/deployments/img/images/generations');
    expect(seen?.query['api-version']).toBe(API_VERSION);
    expect(seen?.headers['api-key']).toBe(KEY);
    const wav = Buffer.alloc(4096, 1);
    const t = await azure.audio.transcriptions.create({ file: await toFile(wav, 'a.wav'), model: 'stt' });
    expect(t.text).toBe(`Mock transcription of a.wav (4096 bytes, sha256 ${sha(wav)}).`);
    const f = await azure.files.create({ file: await toFile(Buffer.from('hello'), 'h.txt'), purpose: 'assistants' });
    seen = mock.requests().at(-1);
    expect(seen?.path).toBe('/openai/files');
    expect((await azure.files.retrieve(f.id)).bytes).toBe(5);
  });
});

describe('ai-proxy API route types that aigw serve refuses at startup', () => {
  const state = (routeType: string, provider: string): string => `
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: r
    paths: [/r]
    plugins:
    - name: ai-proxy
      config:
        route_type: ${routeType}
        auth: { header_name: Authorization, header_value: "Bearer k" }
        model: { provider: ${provider}, name: m, options: { upstream_url: "http://127.0.0.1:9/v1", azure_instance: i, azure_deployment_id: d, anthropic_version: "2023-06-01" } }
`;
  it.each([
    ['realtime/v1/realtime', 'gemini', "route_type 'realtime/v1/realtime' is not served by aigw serve for provider 'gemini' (it is for openai, azure)"],
    ['llm/v1/assistants', 'openai', "route_type 'llm/v1/assistants' is not served by aigw serve: the Assistants API"],
    ['image/v1/images/generations', 'anthropic', "route_type 'image/v1/images/generations' is not served by aigw serve for provider 'anthropic' (it is for openai, azure, xai)"],
    ['video/v1/videos/generations', 'azure', "route_type 'video/v1/videos/generations' is not served by aigw serve for provider 'azure' (it is for openai)"],
  ])('%s with %s', async (routeType, provider, message) => {
    const err = await gatewayFrom(state(routeType, provider)).then(async (gw) => {
      await gw.close(0);
      return undefined;
    }, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message, (err as Error).message).toContain(message);
  });

  it('ai-proxy-advanced refuses the API route types (ai-proxy serves them)', async () => {
    const yaml = `
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: r
    paths: [/r]
    plugins:
    - name: ai-proxy-advanced
      config:
        targets:
        - route_type: image/v1/images/generations
          auth: { header_name: Authorization, header_value: "Bearer k" }
          model: { provider: openai, name: m, options: { upstream_url: "http://127.0.0.1:9/v1" } }
`;
    expect(yaml).toContain('ai-proxy-advanced');
    const err = await gatewayFrom(yaml).then(async (gw) => {
      await gw.close(0);
      return undefined;
    }, (e: unknown) => e);
    expect((err as Error).message).toContain("ai-proxy-advanced: route_type 'image/v1/images/generations' is served by ai-proxy only in aigw serve");
  });
});
