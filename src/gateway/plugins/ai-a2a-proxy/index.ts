/**
 * ai-a2a-proxy: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiA2aProxy = refusedPlugin('ai-a2a-proxy', 'aigw serve has no A2A (agent-to-agent) proxy');
