import { globalAddress, organization, refusal } from '../kong/konnect/control-planes.js';
import { CONNECTION_OPTIONS } from './deck/connect.js';
import { openTarget } from './deck/target.js';
import type { Command } from './types.js';

/** `aigw ping` / `aigw gateway ping`: can we reach the Admin API (or Konnect), and what is behind it. */
export const command: Command = {
  name: 'ping',
  summary: 'check that the Admin API (or Konnect control plane) is reachable; print version, edition and database mode',
  options: [...CONNECTION_OPTIONS, { flags: '--json-output', description: 'print JSON' }, { flags: '--json', description: 'alias of --json-output', hidden: true }],
  examples: ['aigw gateway ping', 'aigw gateway ping --kong-addr https://kong:8444 --ca-cert-file ca.pem', 'aigw gateway ping --konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name prod'],
  async run({ opts, sources }, io) {
    const json = opts.json === true || opts.jsonOutput === true;
    const target = await openTarget({ opts, sources, fileKonnect: null, forWriting: false }, io);
    try {
      const k = target.konnect;
      if (k === null) {
        const info = target.info;
        const mode = info.dbless ? 'DB-less (declarative)' : `database (${info.database})`;
        if (json) io.out(JSON.stringify({ reachable: true, ...info }, null, 2));
        else io.out(`Successfully connected to the Admin API!\nKong version:  ${info.version}\nEdition:       ${info.edition}\nDatabase mode: ${mode}`);
        return 0;
      }
      // the organization lives on the global API (GDR login_service.go rewrites the regional address)
      const global = k.platform.withBase(globalAddress(k.addr));
      const org = await organization(global).finally(() => global.close());
      const cp = k.controlPlane;
      const why = refusal(cp);
      if (json) io.out(JSON.stringify({ reachable: true, konnect: true, organization: org, control_plane: { id: cp.id, name: cp.name, cluster_type: cp.clusterType, writable: why === null } }, null, 2));
      else {
        io.out(`Successfully Konnected to the ${org.name} organization!`);
        if (Number(opts.verbose ?? 0) >= 1) io.out(`Organization ID: ${org.id}`);
        io.out(`Control plane: ${cp.name} (${cp.id}, ${cp.clusterType})`);
        if (why !== null) io.err(io.c.yellow(`warning: ${why}`));
      }
      return 0;
    } finally {
      await target.close();
    }
  },
};
