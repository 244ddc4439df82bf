/** A small undici client for tests that talk to the Konnect test server. */
import { request } from 'undici';
import { startKonnectServer, type JsonObject, type KonnectServer, type KonnectServerOptions } from '../konnect-server.js';

export const TEST_TOKEN = 'kpat_TestToken0123456789';

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: JsonObject;
  text: string;
}

export type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<CallResult>;

/** `call(method, path, body?, headers?)` against the server `srv()` returns; sends TEST_TOKEN unless headers are given. */
export function konnectCaller(srv: () => KonnectServer): Call {
  return async (method, path, body, headers = { authorization: `Bearer ${TEST_TOKEN}` }) => {
    const r = await request(`${srv().url}${path}`, {
      method: method as 'GET',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.body.text();
    return { status: r.statusCode, headers: r.headers, text, body: text ? (JSON.parse(text) as JsonObject) : {} };
  };
}

/** Run `fn` against a fresh server, closed afterwards. */
export async function withKonnectServer(opts: KonnectServerOptions, fn: (call: Call, srv: KonnectServer) => Promise<void>): Promise<void> {
  const srv = await startKonnectServer(opts);
  try {
    await fn(
      konnectCaller(() => srv),
      srv,
    );
  } finally {
    await srv.close();
  }
}

/** `/v2/control-planes/{id}/core-entities` of a named control plane. */
export const coreBase = (srv: KonnectServer, cp = 'default'): string => `/v2/control-planes/${srv.controlPlane(cp).id}/core-entities`;
