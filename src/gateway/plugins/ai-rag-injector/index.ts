/**
 * ai-rag-injector: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiRagInjector = refusedPlugin('ai-rag-injector', 'retrieval-augmented prompts (the knowledge base in a vector database) are not implemented yet');
