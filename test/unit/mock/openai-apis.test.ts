/** The mock's OpenAI media, file and job APIs, straight (no gateway): determinism, state, faults, bad input. */
import OpenAI, { BadRequestError, NotFoundError, RateLimitError, toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { call } from './client.js';

let mock: MockServer;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMock();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0, timeout: 5_000 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

describe('aigw mock: OpenAI images, audio, files, batches, videos', () => {
  it('images and speech are deterministic; bad input gets OpenAI errors', async () => {
    const a = await client.images.generate({ model: 'gpt-image-1', prompt: 'a fox', response_format: 'url' });
    expect(await client.images.generate({ model: 'gpt-image-1', prompt: 'a fox', response_format: 'url' })).toEqual(a);
    expect(a.data?.[0].url).toMatch(/^https:\/\/images\.mock\.invalid\/[0-9a-f]{16}\.png$/);
    expect(a.usage).toMatchObject({ input_tokens: 2, output_tokens: 256, total_tokens: 258 });
    await expect(client.images.generate({ model: 'gpt-image-1', prompt: '' })).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.images.generate({ model: 'gpt-image-1', prompt: 'x', n: 11 })).rejects.toThrow("Invalid value for 'n'");
    const s1 = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', response_format: 'wav' })).arrayBuffer());
    const s2 = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', voice: 'echo', input: 'hi', response_format: 'wav' })).arrayBuffer());
    expect(s1.length).toBe(64);
    expect(s1.equals(s2)).toBe(false);
    const noVoice = await call(`${mock.url}/v1/audio/speech`, { body: { model: 'tts-1', input: 'hi' }, headers: { authorization: 'Bearer k' } });
    expect(noVoice.status).toBe(400);
    expect(noVoice.json()).toMatchObject({ error: { message: "Missing required parameter: 'voice'." } });
  });

  it('transcriptions need a file; a broken multipart body is a 400', async () => {
    const t = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(Buffer.from('abc'), 'a.mp3'), response_format: 'verbose_json' });
    expect(t).toMatchObject({ task: 'transcribe', text: 'Mock transcription of a.mp3 (3 bytes, sha256 ba7816bf8f01cfea).' });
    const broken = await call(`${mock.url}/v1/audio/transcriptions`, { body: '--zz\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1', headers: { authorization: 'Bearer k', 'content-type': 'multipart/form-data; boundary=zz' } });
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('multipart body not terminated');
  });

  it('files and batches are remembered until reset(), never served from the reply cache', async () => {
    expect((await client.files.list()).data).toEqual([]);
    const f = await client.files.create({ file: await toFile(Buffer.from('{"custom_id":"x","method":"POST","url":"/v1/embeddings","body":{"model":"e","input":"hi"}}\n'), 'in.jsonl'), purpose: 'batch' });
    expect((await client.files.list()).data.map((x) => x.id)).toEqual([f.id]);
    const b = await client.batches.create({ input_file_id: f.id, endpoint: '/v1/embeddings', completion_window: '24h' });
    expect(b.request_counts).toEqual({ total: 1, completed: 1, failed: 0 });
    await expect(client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/embeddings', completion_window: '24h' })).rejects.toThrow("Invalid 'input_file_id'");
    mock.reset();
    await expect(client.files.retrieve(f.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.batches.retrieve(b.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('fault headers apply to the new routes too', async () => {
    const limited = client.images.generate({ model: 'gpt-image-1', prompt: 'x' }, { headers: { 'x-mock-rate-limit': '3' } });
    await expect(limited).rejects.toBeInstanceOf(RateLimitError);
    const broken = await call(`${mock.url}/v1/audio/speech`, { body: { model: 'tts-1', voice: 'a', input: 'x'.repeat(2000) }, headers: { authorization: 'Bearer k', 'x-mock-break-stream-after': '1' } }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(Error);
  });

  it('Azure routes need api-version', async () => {
    const r = await call(`${mock.url}/openai/deployments/d/images/generations`, { body: { prompt: 'x' }, headers: { 'api-key': 'k' } });
    expect(r.status).toBe(404);
    const ok = await call(`${mock.url}/openai/deployments/d/images/generations?api-version=2025-04-01-preview`, { body: { prompt: 'x' }, headers: { 'api-key': 'k' } });
    expect(ok.status).toBe(200);
  });
});
