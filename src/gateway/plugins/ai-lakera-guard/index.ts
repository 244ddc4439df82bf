/**
 * ai-lakera-guard: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiLakeraGuard = refusedPlugin('ai-lakera-guard', 'the Lakera Guard client is not implemented yet');
