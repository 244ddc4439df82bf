/** What ai-proxy-advanced did for a request (the log phase, the dashboard and tracing read it): its own module, so readers do not load the plugin. */
import { Slot } from '../../context.js';

export interface AttemptRecord {
  target: string;
  /** Index in `targets[]`. */
  index: number;
  status: number;
  /** Failure kind (`http`, `timeout`, `connect`, `garbage`) when the attempt failed. */
  error?: string;
  latency: number;
}

export interface BalancerOutcome {
  algorithm: string;
  attempts: number;
  target: string;
  tries: AttemptRecord[];
  /** The answering target's `model.model_alias`, when it has one. */
  model_alias?: string;
  /** The answering target's `metadata`, when it has any. */
  metadata?: Record<string, unknown>;
}

export const AI_BALANCER = new Slot<BalancerOutcome>('ai.balancer');
