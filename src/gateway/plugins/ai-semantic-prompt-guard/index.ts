/**
 * ai-semantic-prompt-guard: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiSemanticPromptGuard = refusedPlugin('ai-semantic-prompt-guard', 'semantic prompt guarding (embeddings compared with allow/deny prompts) is not implemented yet');
