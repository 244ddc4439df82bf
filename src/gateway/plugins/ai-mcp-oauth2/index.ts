/**
 * ai-mcp-oauth2: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiMcpOauth2 = refusedPlugin('ai-mcp-oauth2', 'aigw serve has no MCP OAuth2 resource server');
