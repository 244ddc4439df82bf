/**
 * ai-prompt-compressor: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiPromptCompressor = refusedPlugin('ai-prompt-compressor', "it needs Kong's prompt-compression service (LLMLingua), which aigw has no client for");
