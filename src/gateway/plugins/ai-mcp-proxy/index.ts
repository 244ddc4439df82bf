/**
 * ai-mcp-proxy: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiMcpProxy = refusedPlugin('ai-mcp-proxy', 'aigw serve has no MCP server or MCP proxy');
