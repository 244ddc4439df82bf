/**
 * ai-custom-guardrail: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiCustomGuardrail = refusedPlugin('ai-custom-guardrail', 'the declarative guardrail client is not implemented yet');
