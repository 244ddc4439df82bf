/**
 * ai-aws-guardrails: validated with Kong's schema; `aigw serve` cannot run it and refuses, at startup,
 * a configuration that enables it (naming the plugin and the reason).
 */
import { refusedPlugin } from '../../plugin.js';

export const aiAwsGuardrails = refusedPlugin('ai-aws-guardrails', 'the AWS Bedrock ApplyGuardrail client is not implemented yet');
