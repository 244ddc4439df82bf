/**
 * `aigw file convert --from 3.10 --to 3.14` (decK's LTS upgrade path): every value a 3.10 file gets
 * from a default that 3.14 changed is written out explicitly, so the file means on 3.14 what it
 * meant on 3.10. The list of changed defaults is src/config/default-changes.ts; rows decK pins are
 * pinned with decK's messages, and aigw also pins the AI body limit and hmac-auth's algorithms.
 */
import { isMap } from 'yaml';
import type { Io } from '../../cli/io.js';
import { DEFAULT_CHANGES_310_314, type DefaultChange } from '../../config/default-changes.js';
import { splitServiceUrl } from '../../config/normalize.js';
import { AigwError } from '../../errors.js';
import type { Command } from '../types.js';
import { data, FILE_NOTE, nodeAt, readDoc, select, setField, writeDoc, type DeckDoc, type Path } from './document.js';
import { ENTITY_POINTERS } from './entity-pointers.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** decK's `--from`/`--to` values; only 3.10 → 3.14 is implemented here. */
const FORMATS = ['kong-gateway', 'konnect', 'kong-gateway-2.x', 'kong-gateway-3.x', 'distributed', '2.8', '3.4', '3.10', '3.14'];

function nameOf(o: Obj): string {
  return typeof o.name === 'string' ? o.name : typeof o.id === 'string' ? o.id : '<unnamed>';
}

function message(kind: DefaultChange['kind'], who: string, c: DefaultChange, field: string): string {
  if (kind === 'routes') return `Route '${who}': setting protocols to ["http", "https"] (old default, 3.14 defaults to ["https"] only)`;
  if (kind === 'services') return `Service '${who}': setting tls_verify to false (old default, 3.14 enforces TLS certificate verification by default)`;
  return `Plugin '${who}': setting ${field} to ${JSON.stringify(c.before)} (old default, 3.14 defaults to ${JSON.stringify(c.after)})`;
}

function serviceProtocol(s: Obj): string | null {
  if (typeof s.protocol === 'string') return s.protocol;
  return typeof s.url === 'string' ? (splitServiceUrl(s.url)?.protocol ?? null) : null;
}

/** Pin one change on one entity when the file relies on the default; returns the message or null. */
function pin(d: DeckDoc, at: Path, e: Obj, c: DefaultChange): string | null {
  const segments = c.path.split('.');
  const field = segments[segments.length - 1];
  if (c.kind === 'services') {
    const p = serviceProtocol(e);
    if (p === null || !(c.protocols ?? []).includes(p) || e[field] !== undefined) return null;
  }
  if (c.kind === 'plugins' && !(c.plugins ?? []).includes(String(e.name))) return null;
  // walk the records on the way: a missing plugin config is created (decK does); a missing nested
  // record means the field is not in use, so nothing is pinned
  let cursor: Obj = e;
  for (const [i, seg] of segments.slice(0, -1).entries()) {
    const next = cursor[seg];
    if ((next === undefined || next === null) && i === 0 && seg === 'config') {
      setField(d, at, 'config', {});
      cursor = {};
      continue;
    }
    if (!isObj(next)) return null;
    cursor = next;
  }
  if (cursor[field] !== undefined && !(c.kind === 'routes' && Array.isArray(cursor[field]) && (cursor[field] as unknown[]).length === 0)) return null;
  d.doc.setIn([...at, ...segments], d.doc.createNode(c.before));
  return message(c.kind, c.kind === 'plugins' ? String(e.name) : nameOf(e), c, segments.slice(1).join('.') || field);
}

/** Apply every 3.10 → 3.14 pin; the messages, in file order. */
export function convert310to314(d: DeckDoc, changes: readonly DefaultChange[] = DEFAULT_CHANGES_310_314): { messages: string[]; caveats: string[] } {
  const messages: string[] = [];
  const caveats = new Set<string>();
  for (const kind of ['routes', 'services', 'plugins'] as const) {
    for (const at of select(data(d), ENTITY_POINTERS[kind])) {
      if (!isMap(nodeAt(d, at))) continue;
      for (const c of changes.filter((x) => x.kind === kind)) {
        const e = (d.doc.getIn(at) as { toJSON(): Obj }).toJSON();
        const m = pin(d, at, e, c);
        if (m === null) continue;
        messages.push(m);
        if (c.caveat !== undefined) caveats.add(`${c.path.replace(/^config\./, '')}: ${c.caveat}`);
      }
    }
  }
  return { messages, caveats: [...caveats] };
}

function report(io: Io, r: { messages: string[]; caveats: string[] }): void {
  for (const m of r.messages) io.err(m);
  for (const c of r.caveats) io.err(io.c.yellow(`warning: ${c}`));
  io.err('\nThese automatic changes may not be correct or exhaustive enough, please\nperform a manual audit of the config file.\n\nFor related information, please visit:\nhttps://developer.konghq.com/gateway/upgrade\n');
}

export const command: Command = {
  name: 'convert',
  summary: 'convert a decK file between Kong versions (3.10 → 3.14: pin the defaults 3.14 changed)',
  options: [
    { flags: '--from <format>', description: `format of the source file (${FORMATS.join(', ')})` },
    { flags: '--to <format>', description: 'desired format of the output' },
    { flags: '--input-file <file>', description: 'file to convert; - for stdin', default: '-' },
    { flags: '-o, --output-file <file>', description: 'output file; - for stdout', default: '-' },
    { flags: '--format <format>', description: 'output format: yaml or json', default: 'yaml' },
    { flags: '--no-expand-env-vars', description: 'keep ${{ env "DECK_X" }} templates (aigw always does)' },
    { flags: '--yes', description: 'assume yes to prompts (decK; aigw does not prompt here)' },
  ],
  notes: [
    FILE_NOTE,
    'Differs from decK on purpose: env templates are never expanded into the output (no secrets written); a service given by `url: https://…` is treated like `protocol: https`; ' +
      "max_request_body_size of the AI plugins (8192 → 1048576) and hmac-auth's algorithms are pinned too. Only --from 3.10 --to 3.14 is implemented.",
  ],
  examples: ['aigw file convert --from 3.10 --to 3.14 --input-file kong-310.yaml -o kong-314.yaml'],
  async run({ opts }, io) {
    const from = String(opts.from ?? '');
    const to = String(opts.to ?? '');
    for (const [flag, v] of [['from', from], ['to', to]] as const) {
      if (!FORMATS.includes(v)) throw new AigwError('AIGW_USAGE', `invalid value '${v}' for --${flag}; allowed formats: ${FORMATS.join(', ')}`);
    }
    if (from !== '3.10' || to !== '3.14') throw new AigwError('AIGW_USAGE', `cannot convert from '${from}' to '${to}' format: aigw implements --from 3.10 --to 3.14 (use decK for the older paths)`);
    const d = await readDoc(String(opts.inputFile ?? '-'), io);
    const r = convert310to314(d);
    await writeDoc(d, String(opts.outputFile ?? '-'), String(opts.format ?? 'yaml'), io);
    report(io, r);
    return 0;
  },
};
