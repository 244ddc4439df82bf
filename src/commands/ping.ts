import { CONNECTION_OPTIONS, clientFrom } from './deck/connect.js';
import { connect } from './deck/reconcile.js';
import type { Command } from './types.js';

/** `aigw ping`: can we reach the Admin API, and what is behind it. */
export const command: Command = {
  name: 'ping',
  summary: 'check that the Admin API is reachable; print version, edition and database mode',
  options: [...CONNECTION_OPTIONS, { flags: '--json', description: 'print JSON' }],
  examples: ['aigw ping', 'aigw ping --kong-addr https://kong:8444 --ca-cert ca.pem'],
  async run({ opts }, io) {
    const client = clientFrom(opts, io.env, io.cwd, { retryBaseMs: typeof opts.retryBaseMs === 'number' ? opts.retryBaseMs : undefined });
    try {
      const info = await connect(client);
      const mode = info.dbless ? 'DB-less (declarative)' : `database (${info.database})`;
      if (opts.json === true) io.out(JSON.stringify({ reachable: true, ...info }, null, 2));
      else io.out(`Successfully connected to the Admin API!\nKong version:  ${info.version}\nEdition:       ${info.edition}\nDatabase mode: ${mode}`);
      return 0;
    } finally {
      await client.close();
    }
  },
};
