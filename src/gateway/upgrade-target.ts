/** Where a plugin sends a WebSocket upgrade (see upgrade.ts), in a module of its own so plugins need not import the server. */
import { Slot } from './context.js';

/** The URL, headers to set, and client headers to drop (the plugin's credentials replace them). */
export interface UpgradeTarget {
  url: URL;
  headers: Record<string, string>;
  drop: readonly string[];
}

export const UPGRADE_TARGET = new Slot<UpgradeTarget>('upgrade.target');
