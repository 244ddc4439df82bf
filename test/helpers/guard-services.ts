/**
 * Stand-ins for the guardrail services on 127.0.0.1, each speaking its documented API with a toy
 * classifier: text containing "ignore previous instructions" is an attack, "hate" is hateful,
 * "forbidden-word" is on a blocklist.
 *
 *   POST /lakera/v2/guard                 Lakera Guard v2 (Bearer key, messages, breakdown)
 *   POST /azure/contentsafety/text:analyze Azure AI Content Safety (Ocp-Apim-Subscription-Key, api-version)
 *   POST /moderate                        a custom moderation API: {input} → {flagged, reason, score}
 */
import { startUpstream, type Seen, type TestUpstream } from './net.js';

export interface GuardServices extends TestUpstream {
  calls(prefix: string): Array<Seen & { json: Record<string, unknown> }>;
}

const attack = (t: string): boolean => /ignore previous instructions/i.test(t);
const hate = (t: string): boolean => /\bhate\b/i.test(t);

function lakera(body: { messages?: Array<{ content: string }> }): unknown {
  const breakdown = (body.messages ?? []).flatMap((m, i) => [
    { project_id: 'project-1', policy_id: 'policy-1', detector_id: 'd-attack', detector_type: 'prompt_attack', detected: attack(m.content), message_id: i },
    { project_id: 'project-1', policy_id: 'policy-1', detector_id: 'd-hate', detector_type: 'moderated_content/hate', detected: hate(m.content), message_id: i },
  ]);
  return { flagged: breakdown.some((d) => d.detected), metadata: { request_uuid: '5b3b1a9e-0000-4000-8000-000000000001' }, breakdown };
}

function azure(body: { text?: string; blocklistNames?: string[] }): unknown {
  const text = body.text ?? '';
  return {
    categoriesAnalysis: [{ category: 'Hate', severity: hate(text) ? 2 : 0 }, { category: 'Violence', severity: 0 }],
    blocklistsMatch: (body.blocklistNames ?? []).includes('words') && text.includes('forbidden-word')
      ? [{ blocklistName: 'words', blocklistItemId: 'i-1', blocklistItemText: 'forbidden-word' }] : [],
  };
}

export async function startGuardServices(): Promise<GuardServices> {
  const up = await startUpstream((req, res, raw) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    const url = req.url ?? '';
    if (url === '/lakera/v2/guard') {
      if (req.headers.authorization !== 'Bearer lk-test') return send(401, { error: 'bad key' });
      return send(200, lakera(body as { messages?: Array<{ content: string }> }));
    }
    if (url.startsWith('/azure/contentsafety/text:analyze')) {
      if (req.headers['ocp-apim-subscription-key'] !== 'az-test') return send(401, { error: { code: 'Unauthorized' } });
      if (!url.includes('api-version=2023-10-01')) return send(404, { error: { code: 'InvalidApiVersion' } });
      return send(200, azure(body as { text?: string }));
    }
    if (url.startsWith('/moderate')) {
      if (req.headers.authorization !== 'Bearer mod-key') return send(401, { message: 'unauthorized' });
      const input = String(body.input ?? '');
      const flagged = attack(input) || hate(input);
      return send(200, { flagged, reason: flagged ? `flagged: ${attack(input) ? 'attack' : 'hate'}` : null, score: flagged ? 0.97 : 0.01 });
    }
    return send(404, { error: 'not found' });
  });
  return Object.assign(up, {
    calls: (prefix: string) => up.seen.filter((s) => s.url.startsWith(prefix)).map((s) => ({ ...s, json: JSON.parse(s.body || '{}') as Record<string, unknown> })),
  });
}
