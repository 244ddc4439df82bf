/**
 * ai-gcp-model-armor: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiGcpModelArmor = refusedPlugin('ai-gcp-model-armor', 'the Google Cloud Model Armor client is not implemented yet');
