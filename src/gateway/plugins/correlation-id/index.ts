/**
 * correlation-id: ensures a correlation header (`Kong-Request-ID`) on the
 * upstream request, generated as `uuid#counter`, `uuid` or `tracker`; optional echo downstream.
 */
import { randomUUID } from 'node:crypto';
import type { KongPlugin } from '../../plugin.js';

interface CorrelationConfig {
  header: string;
  generator: string;
  echo: boolean;
}

export const correlationId: KongPlugin<'correlation-id', CorrelationConfig> = {
  name: 'correlation-id',
  parse: (c) => ({
    header: (c.header_name ?? 'Kong-Request-ID'),
    generator: (c.generator ?? 'uuid#counter'),
    echo: (c.echo_downstream ?? false),
  }),
  create(c) {
    const base = randomUUID();
    let counter = 0;
    const lower = c.header.toLowerCase();
    const generate = (ip: string, port: number | undefined): string => {
      if (c.generator === 'uuid') return randomUUID();
      if (c.generator === 'tracker') return `${ip}-${port ?? 0}-${process.pid}-${++counter}-${Date.now() / 1000}`;
      return `${base}#${++counter}`;
    };
    return {
      access(ctx) {
        const existing = ctx.header(lower);
        const id = existing ?? generate(ctx.clientIp, ctx.req.socket.remotePort);
        ctx.upstreamHeaders[lower] = id;
        if (c.echo) ctx.responseHeaders[c.header] = id;
        return undefined;
      },
    };
  },
};
