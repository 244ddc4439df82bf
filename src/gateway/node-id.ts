/**
 * This gateway process's node id (Kong's `kong.node.get_id()`): the Admin API's `GET /`, the
 * prometheus node metrics and request-termination's echo all report the same one.
 */
import { randomUUID } from 'node:crypto';

export const NODE_ID: string = randomUUID();
