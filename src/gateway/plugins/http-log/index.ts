/**
 * http-log: sends Kong's log record to `http_endpoint` through the plugin queue.
 * A batch of one is sent as an object, larger batches as a JSON array.
 */
import { Agent, request } from 'undici';
import type { KongPlugin } from '../../plugin.js';
import type { LogRecord } from '../../log-record.js';
import { BatchQueue, legacyQueue, queueOptions, type QueueOptions } from './queue.js';

interface HttpLogConfig {
  endpoint: URL;
  method: string;
  contentType: string;
  timeout: number;
  keepalive: number;
  headers: Record<string, string>;
  queue: QueueOptions;
}

export const httpLog: KongPlugin<'http-log', HttpLogConfig> = {
  name: 'http-log',
  parse: (c) => {
    const endpoint = new URL(String(c.http_endpoint));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    if (endpoint.username) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(endpoint.username)}:${decodeURIComponent(endpoint.password)}`).toString('base64')}`;
      endpoint.username = '';
      endpoint.password = '';
    }
    return {
      endpoint,
      method: (c.method ?? 'POST'),
      contentType: (c.content_type ?? 'application/json'),
      timeout: (c.timeout ?? 10000),
      keepalive: (c.keepalive ?? 60000),
      headers,
      queue: queueOptions(legacyQueue(c)),
    };
  },
  create(c, deps) {
    const agent = deps.store.get('agent', () => new Agent({ keepAliveTimeout: c.keepalive, connect: { timeout: c.timeout } }), (a) => a.close());
    const send = async (batch: LogRecord[]): Promise<void> => {
      const body = JSON.stringify(c.queue.maxBatchSize === 1 ? batch[0] : batch);
      const res = await request(c.endpoint, {
        method: c.method as 'POST',
        headers: { ...c.headers, 'content-type': c.contentType },
        body,
        dispatcher: agent,
        headersTimeout: c.timeout,
        bodyTimeout: c.timeout,
      });
      await res.body.dump();
      if (res.statusCode >= 300) throw new Error(`${c.endpoint.origin} answered ${res.statusCode}`);
    };
    const queue = deps.store.get('queue', () => new BatchQueue<LogRecord>('http-log', c.queue, send, deps.logger), (q) => q.close());
    return {
      log(_ctx, rec) {
        queue.add(rec);
      },
    };
  },
};
