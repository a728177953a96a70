import type { Logger as PinoLogger } from 'pino';

/**
 * The pino logger every part of a run writes through (STYLE.md H14): fields first, fixed message,
 * `log.info({ epoch, step, dUtil }, 'epoch end')`.
 */
export type Logger = PinoLogger;
