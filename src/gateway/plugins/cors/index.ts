/**
 * cors: answers preflights (unless `preflight_continue`) and adds the CORS
 * response headers to every other response.
 */
import type { GatewayContext } from '../../context.js';
import type { KongPlugin } from '../../plugin.js';
import { allowedOrigin, compileOrigins, type Origins } from './origins.js';

interface CorsConfig {
  origins: Origins;
  headers: string[];
  exposed: string[];
  methods: string[];
  maxAge: number | null;
  credentials: boolean;
  privateNetwork: boolean;
  preflightContinue: boolean;
  allowOriginAbsent: boolean;
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];

/** Kong's configure_origin and configure_credentials (see origins.ts). */
function originHeaders(ctx: GatewayContext, c: CorsConfig, out: Record<string, string>): void {
  const origin = ctx.header('origin');
  const allowed = allowedOrigin(c.origins, origin);
  if (!c.origins.allowAll) out.Vary = 'Origin';
  if (allowed.value !== null) out['Access-Control-Allow-Origin'] = allowed.value;
  if (!c.credentials) return;
  if (!allowed.all) {
    out['Access-Control-Allow-Credentials'] = 'true';
  } else if (origin) {
    // ACAC cannot be true with ACAO `*`: the request's origin is echoed instead
    out.Vary = 'Origin';
    out['Access-Control-Allow-Origin'] = origin;
    out['Access-Control-Allow-Credentials'] = 'true';
  }
}

export const cors: KongPlugin<'cors', CorsConfig> = {
  name: 'cors',
  parse: (c) => {
    return {
      origins: compileOrigins(c.origins ?? []),
      headers: (c.headers ?? []),
      exposed: (c.exposed_headers ?? []),
      methods: (c.methods ?? []).length ? (c.methods ?? []) : DEFAULT_METHODS,
      maxAge: (c.max_age ?? null),
      credentials: (c.credentials ?? false),
      privateNetwork: (c.private_network ?? false),
      preflightContinue: (c.preflight_continue ?? false),
      allowOriginAbsent: (c.allow_origin_absent ?? true),
    };
  },
  create(c) {
    return {
      access(ctx) {
        const origin = ctx.header('origin');
        if (!origin && !c.allowOriginAbsent) return undefined;
        const h: Record<string, string> = {};
        originHeaders(ctx, c, h);
        const preflight = ctx.method === 'OPTIONS' && origin !== undefined && ctx.header('access-control-request-method') !== undefined;
        if (preflight && !c.preflightContinue) {
          h['Access-Control-Allow-Methods'] = c.methods.join(',');
          const reqHeaders = ctx.header('access-control-request-headers');
          if (c.headers.length) h['Access-Control-Allow-Headers'] = c.headers.join(',');
          else if (reqHeaders) h['Access-Control-Allow-Headers'] = reqHeaders;
          if (c.maxAge !== null) h['Access-Control-Max-Age'] = String(c.maxAge);
          if (c.privateNetwork && ctx.header('access-control-request-private-network') === 'true') h['Access-Control-Allow-Private-Network'] = 'true';
          return { status: 200, body: '', headers: h };
        }
        if (c.exposed.length) h['Access-Control-Expose-Headers'] = c.exposed.join(',');
        Object.assign(ctx.responseHeaders, h);
        return undefined;
      },
    };
  },
};
