/**
 * ai-azure-content-safety: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiAzureContentSafety = refusedPlugin('ai-azure-content-safety', 'the Azure AI Content Safety client is not implemented yet');
