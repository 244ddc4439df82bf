// Module hooks for module-log.mjs: log each loaded URL (ESM and CommonJS loaded through import).
import { appendFileSync } from 'node:fs';

let log = null;
export function initialize(data) {
  log = data?.log ?? null;
}
export async function load(url, context, next) {
  if (log) appendFileSync(log, `${url}\n`);
  return next(url, context);
}
