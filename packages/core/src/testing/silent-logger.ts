import { pino } from 'pino';
import type { Logger } from '../contract/log/logger.js';

/** A pino logger that writes nothing, for hooks and `create` calls in tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
