/**
 * A stand-in for Kong's AI PII Anonymizer service on 127.0.0.1, speaking its documented API
 * (`POST /llm/v1/sanitize`, `GET /llm/v1/status`). Its "NLP" is a few regexes: emails (`email`),
 * US-style phone numbers (`phone`), the names John Doe / Ann Lee (`general`), plus the request's
 * custom patterns (`custom`). Placeholder mode numbers values per request (the same value gets the
 * same placeholder); synthetic mode substitutes fixed fake values of the same kind.
 */
import { startUpstream, type TestUpstream } from './net.js';

interface SanitizeBody {
  text: string;
  anonymize: string[];
  options?: { redact_type?: string };
  custom_patterns?: Array<{ name: string; regex: string; score: number }>;
}

const DETECTORS: Array<{ type: string; re: RegExp; fake: string }> = [
  { type: 'email', re: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, fake: 'jane.roe@example.net' },
  { type: 'phone', re: /\b\d{3}-\d{3}-\d{4}\b/g, fake: '001-204-028-1684x83574' },
  { type: 'general', re: /\b(?:John Doe|Ann Lee)\b/g, fake: 'Jesse Mason' },
];

export interface FakePiiService extends TestUpstream {
  /** The parsed bodies of the sanitize calls. */
  calls(): SanitizeBody[];
  /** Answer every call with this status (500: the service is broken). */
  failWith(status: number | null): void;
}

function sanitize(b: SanitizeBody): { text: string; identified: string[]; anonymized: string[] } {
  const all = b.anonymize.includes('all') || b.anonymize.includes('all_and_credentials');
  const detectors = [...DETECTORS, ...(b.custom_patterns ?? []).map((p) => ({ type: 'custom', re: new RegExp(p.regex, 'g'), fake: 'CUSTOM1' }))];
  const found = detectors.flatMap((d) => [...b.text.matchAll(d.re)].map((m) => ({ d, value: m[0], at: m.index })))
    .sort((x, y) => x.at - y.at);
  const placeholders = new Map<string, string>();
  const identified: string[] = [];
  const anonymized: string[] = [];
  let text = '';
  let pos = 0;
  for (const f of found) {
    if (f.at < pos) continue;
    identified.push(f.d.type);
    if (!all && !b.anonymize.includes(f.d.type)) continue;
    anonymized.push(f.d.type);
    if (!placeholders.has(f.value)) placeholders.set(f.value, `PLACEHOLDER${placeholders.size + 1}`);
    text += b.text.slice(pos, f.at) + (b.options?.redact_type === 'synthetic' ? f.d.fake : placeholders.get(f.value) as string);
    pos = f.at + f.value.length;
  }
  return { text: text + b.text.slice(pos), identified, anonymized };
}

export async function startPiiService(): Promise<FakePiiService> {
  const calls: SanitizeBody[] = [];
  let fail: number | null = null;
  const up = await startUpstream((req, res, raw) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/llm/v1/status') return send(200, { status: 'ok' });
    if (req.method !== 'POST' || req.url !== '/llm/v1/sanitize') return send(404, { error: 'not found' });
    const body = JSON.parse(raw) as SanitizeBody;
    calls.push(body);
    if (fail !== null) return send(fail, { error: 'model not loaded' });
    if (typeof body.text !== 'string' || !Array.isArray(body.anonymize)) return send(400, { error: 'text and anonymize are required' });
    const r = sanitize(body);
    return send(200, { text: r.text, identified_pii: r.identified, anonymized_pii: r.anonymized, detected_languages: ['en'], duration: 1 });
  });
  return Object.assign(up, { calls: () => calls, failWith: (s: number | null) => { fail = s; } });
}
