/**
 * ai-llm-as-judge: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiLlmAsJudge = refusedPlugin('ai-llm-as-judge', 'judging answers with a second LLM is not implemented yet');
