/**
 * request-size-limiting: 413 above `allowed_payload_size` (by Content-Length, or by
 * reading a chunked body up to the limit), 411 when `require_content_length` and it is missing.
 */
import { BodyTooLargeError } from '../../context.js';
import type { KongPlugin } from '../../plugin.js';

const UNITS: Record<string, number> = { bytes: 1, kilobytes: 1024, megabytes: 1048576 };

interface SizeConfig {
  limit: number;
  requireContentLength: boolean;
}

export const requestSizeLimiting: KongPlugin<'request-size-limiting', SizeConfig> = {
  name: 'request-size-limiting',
  parse: (c) => ({
    limit: (c.allowed_payload_size ?? 128) * (UNITS[(c.size_unit ?? 'megabytes')] ?? 1048576),
    requireContentLength: (c.require_content_length ?? false),
  }),
  create(c) {
    return {
      async access(ctx) {
        const tooLarge = ctx.header('expect')?.toLowerCase() === '100-continue'
          ? { status: 417, message: 'Request size limit exceeded' }
          : { status: 413, message: 'Request size limit exceeded' };
        const cl = ctx.header('content-length');
        if (cl !== undefined) {
          const n = Number(cl);
          if (!Number.isFinite(n)) return { status: 411, message: 'A valid Content-Length header is required' };
          return n > c.limit ? tooLarge : undefined;
        }
        if (c.requireContentLength) return { status: 411, message: 'A valid Content-Length header is required' };
        if (ctx.header('transfer-encoding') === undefined) return undefined;
        try {
          await ctx.body(c.limit);
        } catch (err) {
          if (err instanceof BodyTooLargeError) return tooLarge;
          throw err;
        }
        return undefined;
      },
    };
  },
};
