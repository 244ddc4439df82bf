import { createHash } from 'node:crypto';
import { isRecord, num, str, type JsonObject } from '../json.js';
import type { MockFile } from '../multipart.js';
import type { MockCall, MockProvider, MockRoute } from '../provider.js';
import { chunksReply, jsonReply, textReply, type Reply } from '../reply.js';
import type { StoredFile } from '../state.js';
import { CREATED, chatCompletion, embeddings, openai, openaiError, textCompletion, type ErrorFn } from './openai.js';

/**
 * OpenAI's media, file and job APIs (what Kong 3.11–3.13's API route types call), deterministic:
 * images (generations: JSON; edits: multipart) with `usage`; audio speech (bytes derived from the
 * text, streamed in chunks), transcriptions and translations (multipart; the text names the
 * upload's size and sha256, so a test sees it arrived intact); files (upload, list, retrieve,
 * content, delete); batches (created already completed: each input line is answered by the mock's
 * chat/completions/embeddings and the results stored as the output file); videos (created
 * completed; content is bytes derived from the prompt). Files, batches and videos live in the
 * server's state (MockState) and are never cached; ids are digests of their content.
 */

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const words = (s: string): number => s.match(/\S+/g)?.length ?? 0;

/** A 1×1 transparent PNG, as every generated image. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function imageData(model: string, prompt: string, n: number, format: unknown): JsonObject[] {
  return Array.from({ length: n }, (_, i) => {
    const id = sha(`${model}\n${prompt}\n${i}`).slice(0, 16);
    if (format === 'url') return { url: `https://images.mock.invalid/${id}.png`, revised_prompt: prompt };
    return { b64_json: PNG.toString('base64'), revised_prompt: prompt };
  });
}

function imageReply(model: string, prompt: string, n: number, format: unknown, imageTokens: number): Reply {
  const input = words(prompt) + imageTokens;
  const output = 256 * n;
  return jsonReply(200, {
    created: CREATED, data: imageData(model, prompt, n, format),
    usage: { input_tokens: input, output_tokens: output, total_tokens: input + output, input_tokens_details: { text_tokens: words(prompt), image_tokens: imageTokens } },
  });
}

function count(v: unknown, fail: ErrorFn): number | Reply {
  const n = typeof v === 'string' ? Number(v) : (num(v) ?? 1);
  return Number.isInteger(n) && n >= 1 && n <= 10 ? n : fail(400, `Invalid value for 'n': ${String(v)}. Must be between 1 and 10.`);
}

/** POST …/images/generations (JSON). */
export function imageGeneration(c: MockCall, fallback: string | undefined, fail: ErrorFn): Reply {
  const b = c.body;
  if (!isRecord(b)) return fail(400, 'We could not parse the JSON body of your request.');
  const prompt = str(b.prompt);
  if (prompt === undefined || prompt === '') return fail(400, "Missing required parameter: 'prompt'.");
  const n = count(b.n, fail);
  if (typeof n !== 'number') return n;
  return imageReply(str(b.model) ?? fallback ?? 'dall-e-2', prompt, n, b.response_format, 0);
}

/** POST …/images/edits (multipart: image or image[], prompt, model, n). */
export function imageEdit(c: MockCall, fallback: string | undefined, fail: ErrorFn): Reply {
  const f = c.form;
  if (f === undefined) return fail(400, "Invalid Content-Type header (application/json), expected multipart/form-data.");
  const images = f.files.filter((x) => x.name === 'image' || x.name === 'image[]');
  if (images.length === 0) return fail(400, "Missing required parameter: 'image'.");
  const prompt = f.fields.prompt;
  if (prompt === undefined || prompt === '') return fail(400, "Missing required parameter: 'prompt'.");
  const n = count(f.fields.n, fail);
  if (typeof n !== 'number') return n;
  return imageReply(f.fields.model ?? fallback ?? 'dall-e-2', prompt, n, f.fields.response_format, 65 * images.length);
}

const AUDIO_TYPES: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/ogg', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' };

/** Deterministic "audio": 32 bytes per input character (at least 64, at most 256 KiB) from the text's digest. */
export function speechBytes(input: string, voice: string): Buffer {
  const size = Math.min(256 * 1024, Math.max(64, input.length * 32));
  const seed = Buffer.from(sha(`${voice}\n${input}`), 'hex');
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += seed.length) seed.copy(out, i);
  return out;
}

/** POST …/audio/speech (JSON: model, input, voice, response_format): the audio in 16 KiB chunks. */
export function speech(c: MockCall, fallback: string | undefined, fail: ErrorFn): Reply {
  const b = c.body;
  if (!isRecord(b)) return fail(400, 'We could not parse the JSON body of your request.');
  if (str(b.model) === undefined && fallback === undefined) return fail(400, "Missing required parameter: 'model'.");
  const input = str(b.input);
  if (input === undefined || input === '') return fail(400, "Missing required parameter: 'input'.");
  const voice = str(b.voice);
  if (voice === undefined) return fail(400, "Missing required parameter: 'voice'.");
  const format = str(b.response_format) ?? 'mp3';
  const type = AUDIO_TYPES[format];
  if (type === undefined) return fail(400, `Invalid value for 'response_format': '${format}'.`);
  const bytes = speechBytes(input, voice);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 16 * 1024) chunks.push(bytes.subarray(i, i + 16 * 1024));
  return chunksReply(chunks, type);
}

/** What the mock "hears" in an upload: its name, size and digest. */
export function heard(task: 'transcription' | 'translation', file: MockFile): string {
  return `Mock ${task} of ${file.filename} (${file.data.length} bytes, sha256 ${sha(file.data).slice(0, 16)}).`;
}

/** POST …/audio/transcriptions and …/audio/translations (multipart: file, model, response_format). */
export function audioText(task: 'transcription' | 'translation', c: MockCall, fallback: string | undefined, fail: ErrorFn): Reply {
  const f = c.form;
  if (f === undefined) return fail(400, "Invalid Content-Type header (application/json), expected multipart/form-data.");
  const file = f.files.find((x) => x.name === 'file');
  if (file === undefined) return fail(400, "Missing required parameter: 'file'.");
  if (f.fields.model === undefined && fallback === undefined) return fail(400, "Missing required parameter: 'model'.");
  const text = heard(task, file);
  const format = f.fields.response_format ?? 'json';
  if (format === 'text' || format === 'srt' || format === 'vtt') return textReply(200, `${text}\n`, 'text/plain; charset=utf-8');
  if (format === 'verbose_json') {
    const duration = Math.round(file.data.length / 16) / 1000;
    return jsonReply(200, { task: task === 'transcription' ? 'transcribe' : 'translate', language: 'english', duration, text, segments: [] });
  }
  return jsonReply(200, { text, usage: { type: 'tokens', input_tokens: Math.ceil(file.data.length / 1024), output_tokens: words(text), total_tokens: Math.ceil(file.data.length / 1024) + words(text) } });
}

function fileObject(f: StoredFile): JsonObject {
  return { id: f.id, object: 'file', bytes: f.data.length, created_at: CREATED, filename: f.filename, purpose: f.purpose, status: 'processed', status_details: null };
}

/** POST …/files (multipart: file, purpose). */
export function uploadFile(c: MockCall, fail: ErrorFn): Reply {
  const f = c.form;
  if (f === undefined) return fail(400, "Invalid Content-Type header (application/json), expected multipart/form-data.");
  const file = f.files.find((x) => x.name === 'file');
  if (file === undefined) return fail(400, "Missing required parameter: 'file'.");
  const purpose = f.fields.purpose;
  if (purpose === undefined || purpose === '') return fail(400, "Missing required parameter: 'purpose'.");
  const stored = c.state.addFile(file.filename, purpose, file.data);
  return jsonReply(200, fileObject(stored));
}

function missingFile(id: string, fail: ErrorFn): Reply {
  return fail(404, `No such File object: ${id}`);
}

export function listFiles(c: MockCall): Reply {
  const purpose = c.query.get('purpose');
  const data = c.state.listFiles().filter((f) => purpose === null || f.purpose === purpose).map(fileObject);
  return jsonReply(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
}

export function getFile(id: string, c: MockCall, fail: ErrorFn): Reply {
  const f = c.state.files.get(id);
  return f === undefined ? missingFile(id, fail) : jsonReply(200, fileObject(f));
}

export function fileContent(id: string, c: MockCall, fail: ErrorFn): Reply {
  const f = c.state.files.get(id);
  return f === undefined ? missingFile(id, fail) : { kind: 'body', status: 200, headers: { 'content-type': 'application/octet-stream' }, body: f.data };
}

export function deleteFile(id: string, c: MockCall, fail: ErrorFn): Reply {
  return c.state.files.delete(id) ? jsonReply(200, { id, object: 'file', deleted: true }) : missingFile(id, fail);
}

const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings'];

function answerLine(line: unknown, endpoint: string, c: MockCall, fail: ErrorFn): JsonObject {
  const customId = isRecord(line) ? str(line.custom_id) ?? null : null;
  const body = isRecord(line) ? line.body : undefined;
  let reply: Reply;
  if (!isRecord(line) || line.url !== endpoint) reply = fail(400, `The URL of every request must be ${endpoint}.`);
  else if (endpoint === '/v1/embeddings') reply = embeddings(body, undefined, c.settings, fail);
  else if (endpoint === '/v1/completions') reply = textCompletion(body, undefined, fail);
  else reply = chatCompletion(isRecord(body) ? { ...body, stream: false } : body, undefined, fail);
  const text = reply.kind === 'body' ? reply.body.toString('utf8') : '{}';
  const id = sha(`${customId ?? ''}\n${text}`).slice(0, 24);
  return { id: `batch_req_${id}`, custom_id: customId, response: { status_code: reply.status, request_id: `req_${id}`, body: JSON.parse(text) as unknown }, error: null };
}

function batchObject(b: JsonObject): JsonObject {
  return b;
}

/** POST …/batches (JSON: input_file_id, endpoint, completion_window): answered at once. */
export function createBatch(c: MockCall, fail: ErrorFn): Reply {
  const b = c.body;
  if (!isRecord(b)) return fail(400, 'We could not parse the JSON body of your request.');
  const fileId = str(b.input_file_id);
  if (fileId === undefined) return fail(400, "Missing required parameter: 'input_file_id'.");
  const endpoint = str(b.endpoint);
  if (endpoint === undefined || !BATCH_ENDPOINTS.includes(endpoint)) return fail(400, `Invalid value for 'endpoint': must be one of ${BATCH_ENDPOINTS.join(', ')}.`);
  if (b.completion_window !== '24h') return fail(400, "Invalid value for 'completion_window': must be '24h'.");
  const input = c.state.files.get(fileId);
  if (input === undefined) return fail(400, `Invalid 'input_file_id': '${fileId}'. File not found.`);
  const lines = input.data.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const out: JsonObject[] = [];
  for (const l of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(l);
    } catch {
      parsed = undefined;
    }
    out.push(answerLine(parsed, endpoint, c, fail));
  }
  const failed = out.filter((o) => isRecord(o.response) && o.response.status_code !== 200).length;
  const output = c.state.addFile(`batch_${input.id}_output.jsonl`, 'batch_output', Buffer.from(out.map((o) => JSON.stringify(o)).join('\n') + '\n'));
  const id = `batch_${sha(`${fileId}\n${endpoint}`).slice(0, 24)}`;
  const batch: JsonObject = {
    id, object: 'batch', endpoint, errors: null, input_file_id: fileId, completion_window: '24h', status: 'completed',
    output_file_id: output.id, error_file_id: null, created_at: CREATED, in_progress_at: CREATED, expires_at: CREATED + 86400,
    finalizing_at: CREATED, completed_at: CREATED, failed_at: null, expired_at: null, cancelling_at: null, cancelled_at: null,
    request_counts: { total: out.length, completed: out.length - failed, failed }, metadata: isRecord(b.metadata) ? b.metadata : null,
  };
  c.state.batches.set(id, batch);
  return jsonReply(200, batchObject(batch));
}

export function getBatch(id: string, c: MockCall, fail: ErrorFn): Reply {
  const b = c.state.batches.get(id);
  return b === undefined ? fail(404, `No batch found with id '${id}'.`) : jsonReply(200, b);
}

export function cancelBatch(id: string, c: MockCall, fail: ErrorFn): Reply {
  const b = c.state.batches.get(id);
  if (b === undefined) return fail(404, `No batch found with id '${id}'.`);
  return fail(400, `Cannot cancel a batch with status '${String(b.status)}'.`);
}

export function listBatches(c: MockCall): Reply {
  const data = [...c.state.batches.values()];
  return jsonReply(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
}

/** POST …/videos (JSON or multipart: prompt, model, seconds, size): created completed. */
export function createVideo(c: MockCall, fallback: string | undefined, fail: ErrorFn): Reply {
  const fields: JsonObject = c.form !== undefined ? c.form.fields : isRecord(c.body) ? c.body : {};
  const prompt = str(fields.prompt);
  if (prompt === undefined || prompt === '') return fail(400, "Missing required parameter: 'prompt'.");
  const model = str(fields.model) ?? fallback ?? 'sora-2';
  const seconds = str(fields.seconds) ?? String(num(fields.seconds) ?? 4);
  const size = str(fields.size) ?? '720x1280';
  const id = `video_${sha(`${model}\n${prompt}\n${seconds}\n${size}`).slice(0, 24)}`;
  const video: JsonObject = {
    id, object: 'video', model, status: 'completed', progress: 100, created_at: CREATED, completed_at: CREATED,
    expires_at: CREATED + 86400, prompt, seconds, size, remixed_from_video_id: null, error: null,
  };
  c.state.videos.set(id, video);
  return jsonReply(200, video);
}

function missingVideo(id: string, fail: ErrorFn): Reply {
  return fail(404, `Video with id '${id}' not found.`);
}

export function getVideo(id: string, c: MockCall, fail: ErrorFn): Reply {
  const v = c.state.videos.get(id);
  return v === undefined ? missingVideo(id, fail) : jsonReply(200, v);
}

export function videoContent(id: string, c: MockCall, fail: ErrorFn): Reply {
  const v = c.state.videos.get(id);
  if (v === undefined) return missingVideo(id, fail);
  return { kind: 'body', status: 200, headers: { 'content-type': 'video/mp4' }, body: speechBytes(String(v.prompt), 'video') };
}

export function listVideos(c: MockCall): Reply {
  const data = [...c.state.videos.values()];
  return jsonReply(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
}

export function deleteVideo(id: string, c: MockCall, fail: ErrorFn): Reply {
  return c.state.videos.delete(id) ? jsonReply(200, { id, object: 'video.deleted', deleted: true }) : missingVideo(id, fail);
}

/**
 * The routes under `root` (a regex source: `\/v1`, `\/openai`); `media` is where the single-endpoint
 * APIs live (`\/v1`, `\/openai\/deployments\/([^/]+)` whose capture names the model).
 */
export function openAIApiRoutes(root: string, media: string, fail: ErrorFn, guard: (c: MockCall) => Reply | undefined = () => undefined): MockRoute[] {
  const model = (c: MockCall): string | undefined => (media.includes('(') ? c.params[0] : undefined);
  const id = (c: MockCall): string => c.params.at(-1) ?? '';
  const r = (method: MockRoute['method'], path: string, handle: (c: MockCall) => Reply, stateful = false): MockRoute => ({
    method, pattern: new RegExp(`^${path}$`), handle: (c) => guard(c) ?? handle(c), ...(stateful ? { stateful: true as const } : {}),
  });
  return [
    r('POST', `${media}\\/images\\/generations`, (c) => imageGeneration(c, model(c), fail)),
    r('POST', `${media}\\/images\\/edits`, (c) => imageEdit(c, model(c), fail)),
    r('POST', `${media}\\/audio\\/speech`, (c) => speech(c, model(c), fail)),
    r('POST', `${media}\\/audio\\/transcriptions`, (c) => audioText('transcription', c, model(c), fail)),
    r('POST', `${media}\\/audio\\/translations`, (c) => audioText('translation', c, model(c), fail)),
    r('POST', `${root}\\/files`, (c) => uploadFile(c, fail), true),
    r('GET', `${root}\\/files`, (c) => listFiles(c), true),
    r('GET', `${root}\\/files\\/([^/]+)`, (c) => getFile(id(c), c, fail), true),
    r('GET', `${root}\\/files\\/([^/]+)\\/content`, (c) => fileContent(id(c), c, fail), true),
    r('DELETE', `${root}\\/files\\/([^/]+)`, (c) => deleteFile(id(c), c, fail), true),
    r('POST', `${root}\\/batches`, (c) => createBatch(c, fail), true),
    r('GET', `${root}\\/batches`, (c) => listBatches(c), true),
    r('GET', `${root}\\/batches\\/([^/]+)`, (c) => getBatch(id(c), c, fail), true),
    r('POST', `${root}\\/batches\\/([^/]+)\\/cancel`, (c) => cancelBatch(id(c), c, fail), true),
    r('POST', `${media}\\/videos`, (c) => createVideo(c, model(c), fail), true),
    r('GET', `${root}\\/videos`, (c) => listVideos(c), true),
    r('GET', `${root}\\/videos\\/([^/]+)`, (c) => getVideo(id(c), c, fail), true),
    r('GET', `${root}\\/videos\\/([^/]+)\\/content`, (c) => videoContent(id(c), c, fail), true),
    r('DELETE', `${root}\\/videos\\/([^/]+)`, (c) => deleteVideo(id(c), c, fail), true),
  ];
}



/** OpenAI's media, file and job APIs under `/v1` (same credentials and errors as its chat API). */
export const openaiApis: MockProvider = {
  ...openai,
  base: '/v1/{images,audio,files,batches,videos}',
  routes: openAIApiRoutes('\\/v1', '\\/v1', openaiError),
};
