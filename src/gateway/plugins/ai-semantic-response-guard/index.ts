/**
 * ai-semantic-response-guard: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiSemanticResponseGuard = refusedPlugin('ai-semantic-response-guard', 'semantic response guarding is not implemented yet');
