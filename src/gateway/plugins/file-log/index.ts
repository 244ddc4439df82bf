/**
 * file-log: appends Kong's log record as one JSON line to `path`, without blocking
 * the response. `reopen=true` opens the file for every line (log rotation).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import type { KongPlugin } from '../../plugin.js';

interface FileLogConfig {
  path: string;
  reopen: boolean;
}

export const fileLog: KongPlugin<'file-log', FileLogConfig> = {
  name: 'file-log',
  parse: (c) => ({ path: String(c.path), reopen: (c.reopen ?? false) }),
  create(c, deps) {
    const onError = (err: Error): void => deps.logger.error('file-log: cannot write', { path: c.path, error: err.message });
    const stream = c.reopen
      ? null
      : deps.store.get<WriteStream>('stream', () => createWriteStream(c.path, { flags: 'a' }).on('error', onError), (s) => new Promise<void>((r) => s.end(r)));
    return {
      log(_ctx, rec) {
        const line = `${JSON.stringify(rec)}\n`;
        if (stream) stream.write(line);
        else appendFile(c.path, line).catch(onError);
      },
    };
  },
};
