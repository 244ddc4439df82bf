/**
 * A local OTLP/HTTP trace receiver for tests: accepts `POST /v1/traces` (protobuf, as Kong and aigw
 * send it), decodes ExportTraceServiceRequest with a small protobuf reader (field numbers from
 * opentelemetry-proto's trace.proto / common.proto / resource.proto), and keeps the spans.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttrValue = string | number | boolean | AttrValue[] | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttrValue>;
  status: { code: number; message: string };
  resource: Record<string, AttrValue>;
  scope: { name: string; version: string };
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  requests: Array<{ headers: http.IncomingHttpHeaders; spans: number }>;
  /** Answer the next `n` exports with this status (503 to test retries). */
  failNext(n: number, status?: number): void;
  waitFor(pred: (spans: ReceivedSpan[]) => boolean, ms?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

type Field = { no: number; wire: number; varint?: bigint; bytes?: Buffer; fixed?: Buffer };

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const b = buf[i++];
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, varint: varint() });
    else if (wire === 1) out.push({ no, wire, fixed: buf.subarray(i, (i += 8)) });
    else if (wire === 5) out.push({ no, wire, fixed: buf.subarray(i, (i += 4)) });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, wire, bytes: buf.subarray(i, (i += len)) });
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field | undefined): string => f?.bytes?.toString('utf8') ?? '';
const hex = (f: Field | undefined): string => f?.bytes?.toString('hex') ?? '';

function anyValue(buf: Buffer): AttrValue {
  const f = fields(buf)[0];
  if (!f) return null;
  if (f.no === 1) return str(f);
  if (f.no === 2) return f.varint === 1n;
  if (f.no === 3) return Number(BigInt.asIntN(64, f.varint ?? 0n));
  if (f.no === 4) return f.fixed?.readDoubleLE(0) ?? null;
  if (f.no === 5) return fields(f.bytes ?? Buffer.alloc(0)).filter((x) => x.no === 1).map((x) => anyValue(x.bytes ?? Buffer.alloc(0)));
  return null;
}

function attributes(list: Field[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list) {
    const f = fields(kv.bytes ?? Buffer.alloc(0));
    out[str(f.find((x) => x.no === 1))] = anyValue(f.find((x) => x.no === 2)?.bytes ?? Buffer.alloc(0));
  }
  return out;
}

/** ExportTraceServiceRequest → spans. */
export function decodeTraces(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of fields(body).filter((f) => f.no === 1)) {
    const rsf = fields(rs.bytes ?? Buffer.alloc(0));
    const resource = attributes(fields(rsf.find((f) => f.no === 1)?.bytes ?? Buffer.alloc(0)).filter((f) => f.no === 1));
    for (const ss of rsf.filter((f) => f.no === 2)) {
      const ssf = fields(ss.bytes ?? Buffer.alloc(0));
      const sf = fields(ssf.find((f) => f.no === 1)?.bytes ?? Buffer.alloc(0));
      const scope = { name: str(sf.find((f) => f.no === 1)), version: str(sf.find((f) => f.no === 2)) };
      for (const sp of ssf.filter((f) => f.no === 2)) {
        const p = fields(sp.bytes ?? Buffer.alloc(0));
        const get = (no: number) => p.find((f) => f.no === no);
        const st = fields(get(15)?.bytes ?? Buffer.alloc(0));
        out.push({
          traceId: hex(get(1)),
          spanId: hex(get(2)),
          traceState: str(get(3)),
          parentSpanId: hex(get(4)),
          name: str(get(5)),
          kind: Number(get(6)?.varint ?? 0n),
          startNs: get(7)?.fixed?.readBigUInt64LE(0) ?? 0n,
          endNs: get(8)?.fixed?.readBigUInt64LE(0) ?? 0n,
          attributes: attributes(p.filter((f) => f.no === 9)),
          status: { message: str(st.find((f) => f.no === 2)), code: Number(st.find((f) => f.no === 3)?.varint ?? 0n) },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver['requests'] = [];
  let failing = 0;
  let failStatus = 503;
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || req.headers['content-type'] !== 'application/x-protobuf') {
        res.writeHead(400).end();
        return;
      }
      if (failing > 0) {
        failing--;
        res.writeHead(failStatus).end();
        return;
      }
      const got = decodeTraces(Buffer.concat(chunks));
      requests.push({ headers: req.headers, spans: got.length });
      spans.push(...got);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    requests,
    failNext(n, status = 503) {
      failing = n;
      failStatus = status;
    },
    waitFor(pred, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pred(spans)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(spans);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`spans not received in ${ms} ms (have ${spans.length}: ${spans.map((s) => s.name).join(', ')})`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
