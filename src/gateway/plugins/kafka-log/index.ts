/**
 * kafka-log (Kong Enterprise): validated against Kong's schema (schema.mjs), not run. `aigw serve` refuses a
 * configuration that enables it at startup; database mode stores it as Kong would and answers every request in
 * its scope with a 500 (a broken entity, listed by GET /status) — logs are never dropped silently.
 */
import { refusedPlugin } from '../../plugin.js';

export const kafkaLog = refusedPlugin('kafka-log', 'aigw serve has no Kafka producer', { stored: true });
