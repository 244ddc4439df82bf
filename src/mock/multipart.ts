/**
 * multipart/form-data for the mock (which holds whole bodies anyway): fields as text, files as
 * bytes. Only what OpenAI's upload APIs send: `Content-Disposition: form-data; name=…[; filename=…]`.
 */

export interface MockFile {
  name: string;
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MockForm {
  fields: Record<string, string>;
  files: MockFile[];
}

function boundaryOf(contentType: string): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m === null ? undefined : (m[1] ?? m[2]);
}

function param(disposition: string, key: string): string | undefined {
  const m = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition) ?? new RegExp(`;\\s*${key}=([^;\\s]+)`, 'i').exec(disposition);
  return m === null ? undefined : m[1];
}

/** The form in `raw`, or an Error naming what is wrong. */
export function parseMultipart(raw: Buffer, contentType: string): MockForm | Error {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) return new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const form: MockForm = { fields: {}, files: [] };
  let at = raw.indexOf(delimiter);
  if (at < 0) return new Error('multipart body without its boundary');
  for (;;) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString('latin1') === '--') return form;
    const next = raw.indexOf(delimiter, start);
    if (next < 0) return new Error('multipart body not terminated');
    const part = raw.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return new Error('multipart part without headers');
    const head = part.subarray(0, split).toString('utf8');
    const data = part.subarray(split + 4);
    const disposition = /^content-disposition:(.*)$/im.exec(head)?.[1] ?? '';
    const name = param(disposition, 'name');
    if (name === undefined) return new Error('multipart part without a name');
    const filename = param(disposition, 'filename');
    if (filename === undefined) form.fields[name] = data.toString('utf8');
    else form.files.push({ name, filename, mimeType: /^content-type:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? 'application/octet-stream', data });
    at = next;
  }
}
