/**
 * Kong's static credential placement (`auth.header_*`, `auth.param_*`), shared by every provider
 * that does not sign requests itself.
 */
import { isObject } from '../llm/wire/openai-types.js';
import type { ProviderContext, UpstreamRequest } from './types.js';
import { editableCopy } from '../llm/wire/shallow-copy.js';

export function applyStaticAuth(ctx: ProviderContext, req: UpstreamRequest): UpstreamRequest {
  const { auth } = ctx;
  const headers = editableCopy(req.headers);
  let url = req.url;
  let body = req.body;
  if (auth.header_name && auth.header_value !== undefined) headers[auth.header_name] = auth.header_value;
  if (auth.param_name && auth.param_value !== undefined) {
    if (auth.param_location === 'body' && isObject(body)) {
      body = { ...body, [auth.param_name]: auth.param_value };
    } else if (auth.param_location !== 'body') {
      url = new URL(url);
      url.searchParams.set(auth.param_name, auth.param_value);
    }
  }
  const out = editableCopy(req);
  out.url = url;
  out.headers = headers;
  out.body = body;
  return out;
}
